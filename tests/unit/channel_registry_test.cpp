// StreamRegistry's channels: AWS's rules against the source stream, status over time, DeleteStream's refusal,
// and persistence in the catalog (an old catalog without channels still loads).
#include <gtest/gtest.h>

#include <string>

#include "kinesisd/engine/catalog_codec.hpp"
#include "kinesisd/engine/stream_registry.hpp"

namespace kinesisd::engine {
namespace {

constexpr const char* kEast = "us-east-1";

ChannelMeta channel(const std::string& name, const std::string& stream) {
  ChannelMeta c;
  c.name = name;
  c.role_arn = "arn:aws:iam::123456789012:role/r";
  ChannelSource source;
  source.stream_name = stream;
  source.record_format = "JSON";
  c.sources.push_back(source);
  c.bucket_arn = "arn:aws:s3:::bucket";
  c.bucket_owner = "123456789012";
  c.dlq_bucket_arn = c.bucket_arn;
  c.dlq_owner = c.bucket_owner;
  c.dlq_prefix = "errors/";
  c.tags = {{"team", "data"}};
  return c;
}

class ChannelRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateStreamRequest on_demand;
    on_demand.name = "s";
    on_demand.mode = StreamMode::kOnDemand;
    ASSERT_TRUE(registry.create_stream(kEast, on_demand, 0).ok());
    CreateStreamRequest provisioned;
    provisioned.name = "p";
    provisioned.shard_count = 1;
    ASSERT_TRUE(registry.create_stream(kEast, provisioned, 0).ok());
  }
  StreamRegistry registry{RegistryLimits{}};  // 500 ms delays
};

TEST_F(ChannelRegistryTest, CreateIsCreatingThenActiveAndPinsTheStream) {
  auto created = registry.create_channel(kEast, channel("c", "s"), 1000);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->channel_id.size(), 16u);
  EXPECT_EQ(created->arn(), "arn:aws:kinesis:us-east-1:000000000000:channel/" + created->channel_id);
  EXPECT_EQ(created->status(1000), ChannelStatus::kCreating);
  EXPECT_EQ(created->status(1500), ChannelStatus::kActive);
  EXPECT_EQ(created->sources[0].stream_id, registry.find(kEast, "s", 1000)->stream_id);
  EXPECT_EQ(registry.stream_channel_count(kEast, "s", 1000), 1u);
  auto parts = parse_channel_arn(created->arn());
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->channel_id, created->channel_id);
  EXPECT_FALSE(parse_channel_arn("arn:aws:kinesis:us-east-1:000000000000:stream/s"));
}

TEST_F(ChannelRegistryTest, AwsRulesAgainstTheSourceStream) {
  auto missing = registry.create_channel(kEast, channel("c", "nope"), 1000);
  EXPECT_EQ(missing.error().code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.error().message, "Stream nope under account 000000000000 not found.");
  EXPECT_EQ(registry.create_channel(kEast, channel("c", "p"), 1000).error().code, ErrorCode::kValidation);
  CreateStreamRequest young;
  young.name = "young";
  young.mode = StreamMode::kOnDemand;
  ASSERT_TRUE(registry.create_stream(kEast, young, 1000).ok());
  auto creating = registry.create_channel(kEast, channel("c", "young"), 1000);
  EXPECT_EQ(creating.error().code, ErrorCode::kResourceInUse);
  ASSERT_TRUE(registry.create_channel(kEast, channel("c", "s"), 1000).ok());
  auto duplicate = registry.create_channel(kEast, channel("c", "young"), 2000);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kResourceInUse);
  EXPECT_EQ(duplicate.error().message, "Channel c under account 000000000000 already exists.");
  // One S3 channel per stream.
  EXPECT_EQ(registry.create_channel(kEast, channel("d", "s"), 2000).error().code, ErrorCode::kLimitExceeded);
}

TEST_F(ChannelRegistryTest, DeleteStreamIsRefusedWhileChannelsReadIt) {
  auto created = registry.create_channel(kEast, channel("c", "s"), 1000);
  ASSERT_TRUE(created.ok());
  Status refused = registry.delete_stream(kEast, "s", 2000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceInUse);
  ASSERT_TRUE(registry.delete_channel(kEast, created->channel_id, 2000).ok());
  EXPECT_EQ(registry.find_channel(kEast, created->channel_id, 2000).value()->status(2000),
            ChannelStatus::kDeleting);
  EXPECT_FALSE(registry.delete_stream(kEast, "s", 2400).ok());  // still DELETING
  EXPECT_EQ(registry.find_channel(kEast, created->channel_id, 2500).error().code,
            ErrorCode::kResourceNotFound);
  EXPECT_TRUE(registry.delete_stream(kEast, "s", 2500).ok());
  // The name is free again once the channel is gone.
  EXPECT_TRUE(registry.list_channels(kEast, 2500).empty());
}

TEST_F(ChannelRegistryTest, UpdateChangesACopy) {
  auto created = registry.create_channel(kEast, channel("c", "s"), 1000);
  auto before = registry.find_channel(kEast, created->channel_id, 2000).value();
  ASSERT_TRUE(registry
                  .update_channel(kEast, created->channel_id, 2000,
                                  [](ChannelMeta& c) {
                                    c.freshness_seconds = 600;
                                    c.updating_until_ms = 2500;
                                    return Status::Ok();
                                  })
                  .ok());
  EXPECT_EQ(before->freshness_seconds, 300);  // snapshots are never modified
  auto after = registry.find_channel(kEast, created->channel_id, 2000).value();
  EXPECT_EQ(after->freshness_seconds, 600);
  EXPECT_EQ(after->status(2000), ChannelStatus::kUpdating);
  EXPECT_EQ(after->status(2500), ChannelStatus::kActive);
  EXPECT_EQ(
      registry.update_channel(kEast, "nope", 2000, [](ChannelMeta&) { return Status::Ok(); }).error().code,
      ErrorCode::kResourceNotFound);
}

TEST_F(ChannelRegistryTest, SnapshotAndLoadKeepChannels) {
  ChannelMeta c = channel("c", "s");
  c.kms_key_id = "alias/mine";
  c.logging_enabled = true;
  c.log_group = "/aws/kinesis/c/x";
  auto created = registry.create_channel(kEast, c, 1000);
  ASSERT_TRUE(created.ok());
  StreamRegistry restored{RegistryLimits{}};
  ASSERT_TRUE(restored.load(registry.snapshot(nullptr)).ok());
  auto back = restored.find_channel(kEast, created->channel_id, 2000);
  ASSERT_TRUE(back.ok());
  const ChannelMeta& r = *back.value();
  EXPECT_EQ(r.name, "c");
  EXPECT_EQ(r.created_ms, 1000);
  EXPECT_EQ(r.sources[0].stream_id, created->sources[0].stream_id);
  EXPECT_EQ(r.sources[0].record_format, "JSON");
  EXPECT_EQ(r.kms_key_id, "alias/mine");
  EXPECT_TRUE(r.logging_enabled);
  EXPECT_EQ(r.log_group, "/aws/kinesis/c/x");
  EXPECT_EQ(r.key_template, kDefaultOutputKeyTemplate);
  EXPECT_EQ(r.tags.at("team"), "data");
  EXPECT_FALSE(restored.delete_stream(kEast, "s", 2000).ok());
}

TEST(ChannelCatalog, ACatalogWithoutChannelsStillLoads) {
  const std::string old = R"({"format":1,"accounts":{},"streams":[]})";
  std::vector<ChannelMeta> channels{ChannelMeta{}};
  auto decoded = decode_catalog(old, nullptr, &channels);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(channels.empty());
  StreamRegistry registry{RegistryLimits{}};
  EXPECT_TRUE(registry.load(old).ok());
  EXPECT_TRUE(registry.all_channels(0).empty());
  EXPECT_FALSE(registry.load(R"({"format":1,"streams":[],"channels":[{"name":"x"}]})").ok());
}

}  // namespace
}  // namespace kinesisd::engine
