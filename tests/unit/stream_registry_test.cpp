// engine::StreamRegistry: control-plane rules, status over time, and catalog snapshot/load (persistence).
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "kinesisd/engine/catalog_codec.hpp"
#include "kinesisd/engine/hash_range.hpp"
#include "kinesisd/engine/stream_registry.hpp"

namespace kinesisd::engine {
namespace {

constexpr const char* kEast = "us-east-1";
constexpr const char* kWest = "us-west-2";

CreateStreamRequest provisioned(const std::string& name, int64_t shards) {
  CreateStreamRequest r;
  r.name = name;
  r.shard_count = shards;
  return r;
}

class StreamRegistryTest : public ::testing::Test {
 protected:
  StreamRegistry registry{RegistryLimits{}};  // 500 ms create/delete delays, 500 shards, 5 CREATING
};

TEST_F(StreamRegistryTest, CreateFindStatusOverTime) {
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("x", 3), 1000).ok());
  auto at_create = registry.find(kEast, "x", 1000);
  ASSERT_TRUE(at_create.ok());
  EXPECT_EQ(at_create->status(1000), StreamStatus::kCreating);
  EXPECT_EQ(at_create->status(1500), StreamStatus::kActive);
  EXPECT_EQ(registry.find(kEast, "x", 1499)->status(1499), StreamStatus::kCreating);
  EXPECT_EQ(registry.find(kEast, "x", 1500)->status(1500), StreamStatus::kActive);
}

TEST_F(StreamRegistryTest, NewStreamMetadata) {
  CreateStreamRequest req = provisioned("orders", 3);
  req.tags = {{"team", "data"}, {"env", ""}};
  req.max_record_size_kib = 2048;
  ASSERT_TRUE(registry.create_stream(kEast, req, 1700000000123).ok());
  auto s = registry.find(kEast, "orders", 1700000001000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "orders");
  EXPECT_EQ(s->region, kEast);
  EXPECT_EQ(s->account, "000000000000");
  EXPECT_TRUE(std::regex_match(s->stream_id, std::regex("[a-z0-9]{20}-[a-z0-9]{3}"))) << s->stream_id;
  EXPECT_EQ(s->created_ms, 1700000000123);
  EXPECT_EQ(s->ready_at_ms, 1700000000623);
  EXPECT_EQ(s->mode, StreamMode::kProvisioned);
  EXPECT_EQ(s->retention_hours, 24);
  EXPECT_EQ(s->max_record_size_kib, 2048);
  EXPECT_EQ(s->tags, req.tags);
  EXPECT_EQ(s->arn(), "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  EXPECT_EQ(s->next_shard_index, 3u);
  EXPECT_EQ(s->open_shard_count(), 3u);
  const auto ranges = split_evenly(3);
  ASSERT_EQ(s->shards.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s->shards[i].shard_id, shard_id_for_index(i));
    EXPECT_EQ(s->shards[i].index, i);
    EXPECT_EQ(s->shards[i].hash_range, ranges[i]);
    EXPECT_EQ(s->shards[i].created_ms, 1700000000123);
    EXPECT_TRUE(s->shards[i].is_open());
  }
  EXPECT_EQ(s->shards[2].shard_id, "shardId-000000000002");
}

TEST_F(StreamRegistryTest, DeleteGoesThroughDeletingThenGone) {
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("x", 1), 1000).ok());
  ASSERT_TRUE(registry.delete_stream(kEast, "x", 2000).ok());
  auto deleting = registry.find(kEast, "x", 2000);
  ASSERT_TRUE(deleting.ok());
  EXPECT_EQ(deleting->status(2000), StreamStatus::kDeleting);
  EXPECT_EQ(registry.find(kEast, "x", 2499)->status(2499), StreamStatus::kDeleting);
  // Deleting again while DELETING is accepted and does not postpone the end.
  EXPECT_TRUE(registry.delete_stream(kEast, "x", 2400).ok());
  auto gone = registry.find(kEast, "x", 2500);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(gone.error().message, "Stream x under account 000000000000 not found.");
  EXPECT_TRUE(registry.list(kEast, 2500).empty());
  EXPECT_EQ(registry.list(kEast, 2499).size(), 1u);
}

TEST_F(StreamRegistryTest, MissingStreams) {
  auto r = registry.find(kEast, "nope", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(r.error().message, "Stream nope under account 000000000000 not found.");
  const Status d = registry.delete_stream(kEast, "nope", 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(d.error().message, "Stream nope under account 000000000000 not found.");
  EXPECT_EQ(registry.not_found_message("y"), "Stream y under account 000000000000 not found.");
}

TEST_F(StreamRegistryTest, DuplicateNameIsInUseUntilGone) {
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("x", 1), 1000).ok());
  const Status dup = registry.create_stream(kEast, provisioned("x", 1), 2000);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kResourceInUse);
  EXPECT_EQ(dup.error().message, "Stream x under account 000000000000 already exists.");
  ASSERT_TRUE(registry.delete_stream(kEast, "x", 3000).ok());
  EXPECT_EQ(registry.create_stream(kEast, provisioned("x", 1), 3100).error().code, ErrorCode::kResourceInUse);
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("x", 2), 3500).ok());
  EXPECT_EQ(registry.find(kEast, "x", 4000)->shards.size(), 2u);
}

TEST_F(StreamRegistryTest, ListIsOrderedByName) {
  for (const char* n : {"c", "a", "b"}) ASSERT_TRUE(registry.create_stream(kEast, provisioned(n, 1), 0).ok());
  const auto all = registry.list(kEast, 1000);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "a");
  EXPECT_EQ(all[1].name, "b");
  EXPECT_EQ(all[2].name, "c");
  EXPECT_TRUE(registry.list("eu-west-1", 1000).empty());
}

TEST(StreamRegistryLimits, ShardLimitPerRegion) {
  RegistryLimits limits;
  limits.shard_limit = 10;
  StreamRegistry registry(limits);
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("a", 6), 0).ok());
  const Status over = registry.create_stream(kEast, provisioned("b", 5), 1000);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(over.error().message.rfind("This request would exceed the shard limit for the account", 0), 0u);
  EXPECT_NE(over.error().message.find("Current shard count for the account: 6. Limit: 10. Number of additional "
                                      "shards that would have resulted from this request: 5."),
            std::string::npos)
      << over.error().message;
  EXPECT_TRUE(registry.create_stream(kWest, provisioned("b", 5), 1000).ok()) << "limits are per region";
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("b", 4), 1000).ok()) << "exactly at the limit is fine";
  EXPECT_EQ(registry.open_provisioned_shards(kEast, 2000), 10u);
  EXPECT_EQ(registry.create_stream(kEast, provisioned("c", 1), 2000).error().code, ErrorCode::kLimitExceeded);
  // A DELETING stream still holds its shards; a gone one does not.
  ASSERT_TRUE(registry.delete_stream(kEast, "a", 3000).ok());
  EXPECT_EQ(registry.create_stream(kEast, provisioned("c", 1), 3100).error().code, ErrorCode::kLimitExceeded);
  EXPECT_TRUE(registry.create_stream(kEast, provisioned("c", 6), 3500).ok());
}

TEST(StreamRegistryLimits, SixthCreatingStreamIsRefused) {
  StreamRegistry registry{RegistryLimits{}};
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(registry.create_stream(kEast, provisioned("s" + std::to_string(i), 1), 1000 + i).ok());
  const Status sixth = registry.create_stream(kEast, provisioned("s5", 1), 1100);
  ASSERT_FALSE(sixth.ok());
  EXPECT_EQ(sixth.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(sixth.error().message,
            "This request would exceed the limit of 5 streams in the CREATING state for the account 000000000000 in "
            "us-east-1. Wait for a stream to become ACTIVE and try again.");
  EXPECT_TRUE(registry.create_stream(kWest, provisioned("s5", 1), 1100).ok()) << "other regions are separate";
  EXPECT_TRUE(registry.create_stream(kEast, provisioned("s5", 1), 1500).ok()) << "s0 is ACTIVE at 1500";
}

TEST(StreamRegistryModes, OnDemandGetsFourShardsOutsideTheShardLimit) {
  RegistryLimits limits;
  limits.shard_limit = 1;
  StreamRegistry registry(limits);
  CreateStreamRequest req;
  req.name = "od";
  req.mode = StreamMode::kOnDemand;
  req.warm_throughput_mibps = 100;
  ASSERT_TRUE(registry.create_stream(kEast, req, 0).ok());
  auto s = registry.find(kEast, "od", 1000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->mode, StreamMode::kOnDemand);
  EXPECT_STREQ(to_string(s->mode), "ON_DEMAND");
  ASSERT_EQ(s->shards.size(), 4u);
  EXPECT_EQ(s->shards.back().hash_range, split_evenly(4).back());
  EXPECT_EQ(s->warm_throughput_mibps, 100);
  EXPECT_EQ(registry.open_provisioned_shards(kEast, 1000), 0u);
  EXPECT_TRUE(registry.create_stream(kEast, provisioned("p", 1), 1000).ok());
}

TEST(StreamRegistryModes, ShardCountRules) {
  StreamRegistry registry{RegistryLimits{}};
  CreateStreamRequest no_count;
  no_count.name = "p";
  const Status a = registry.create_stream(kEast, no_count, 0);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(a.error().message, "ShardCount is required for a stream in PROVISIONED mode.");

  CreateStreamRequest od_with_count = provisioned("o", 2);
  od_with_count.mode = StreamMode::kOnDemand;
  EXPECT_EQ(registry.create_stream(kEast, od_with_count, 0).error().code, ErrorCode::kInvalidArgument);

  CreateStreamRequest warm = provisioned("w", 1);
  warm.warm_throughput_mibps = 5;
  EXPECT_EQ(registry.create_stream(kEast, warm, 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(registry.list(kEast, 0).empty()) << "failed creates leave nothing behind";
  EXPECT_EQ(registry.version(), 0u);
}

TEST(StreamRegistryRegions, SameNameInTwoRegionsIsIndependent) {
  StreamRegistry registry{RegistryLimits{}};
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("x", 1), 0).ok());
  ASSERT_TRUE(registry.create_stream(kWest, provisioned("x", 2), 0).ok());
  EXPECT_EQ(registry.find(kEast, "x", 1000)->shards.size(), 1u);
  EXPECT_EQ(registry.find(kWest, "x", 1000)->shards.size(), 2u);
  EXPECT_EQ(registry.find(kWest, "x", 1000)->arn(), "arn:aws:kinesis:us-west-2:000000000000:stream/x");
  ASSERT_TRUE(registry.delete_stream(kEast, "x", 1000).ok());
  EXPECT_FALSE(registry.find(kEast, "x", 2000).ok());
  EXPECT_TRUE(registry.find(kWest, "x", 2000).ok());
  EXPECT_FALSE(registry.find("eu-west-1", "x", 2000).ok());
}

TEST(StreamRegistryAccount, MessagesUseConfiguredAccount) {
  RegistryLimits limits;
  limits.account = "123456789012";
  StreamRegistry registry(limits);
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("x", 1), 0).ok());
  EXPECT_EQ(registry.find(kEast, "x", 0)->arn(), "arn:aws:kinesis:us-east-1:123456789012:stream/x");
  EXPECT_EQ(registry.create_stream(kEast, provisioned("x", 1), 0).error().message,
            "Stream x under account 123456789012 already exists.");
  EXPECT_EQ(registry.find(kEast, "y", 0).error().message, "Stream y under account 123456789012 not found.");
  // Versions grow with every change and snapshot() reports the current one.
  const uint64_t v1 = registry.version();
  EXPECT_GT(v1, 0u);
  ASSERT_TRUE(registry.delete_stream(kEast, "x", 1000).ok());
  uint64_t snap_version = 0;
  (void)registry.snapshot(&snap_version);
  EXPECT_GT(snap_version, v1);
  EXPECT_EQ(snap_version, registry.version());
}

// ---- Catalog persistence: snapshot() / load() ----

void expect_same_stream(const StreamMeta& a, const StreamMeta& b) {
  SCOPED_TRACE("stream " + a.name);
  EXPECT_EQ(std::tie(a.name, a.region, a.account, a.stream_id), std::tie(b.name, b.region, b.account, b.stream_id));
  EXPECT_EQ(std::tie(a.created_ms, a.ready_at_ms, a.updating_until_ms, a.delete_at_ms),
            std::tie(b.created_ms, b.ready_at_ms, b.updating_until_ms, b.delete_at_ms));
  EXPECT_EQ(std::tie(a.mode, a.retention_hours, a.max_record_size_kib, a.warm_throughput_mibps),
            std::tie(b.mode, b.retention_hours, b.max_record_size_kib, b.warm_throughput_mibps));
  EXPECT_EQ(std::tie(a.encryption_type, a.key_id, a.shard_level_metrics, a.next_shard_index),
            std::tie(b.encryption_type, b.key_id, b.shard_level_metrics, b.next_shard_index));
  EXPECT_EQ(a.tags, b.tags);
  ASSERT_EQ(a.shards.size(), b.shards.size());
  for (size_t i = 0; i < a.shards.size(); ++i) {
    const ShardMeta& x = a.shards[i];
    const ShardMeta& y = b.shards[i];
    EXPECT_EQ(std::tie(x.shard_id, x.index, x.hash_range, x.parent_shard_id, x.adjacent_parent_shard_id, x.created_ms,
                       x.closed_ms, x.end_position),
              std::tie(y.shard_id, y.index, y.hash_range, y.parent_shard_id, y.adjacent_parent_shard_id, y.created_ms,
                       y.closed_ms, y.end_position))
        << "shard " << i;
  }
}

// A stream with every field away from its default: resharded, ON_DEMAND, encrypted, monitored, tagged.
StreamMeta rich_stream() {
  StreamMeta s;
  s.name = "rich.stream-1";
  s.region = kWest;
  s.account = "000000000000";
  s.stream_id = "abcdefghij0123456789-xyz";
  s.created_ms = 1700000000123;
  s.ready_at_ms = 1700000000623;
  s.updating_until_ms = 1700000009000;
  s.mode = StreamMode::kOnDemand;
  s.retention_hours = 168;
  s.max_record_size_kib = 4096;
  s.warm_throughput_mibps = 250;
  s.encryption_type = "KMS";
  s.key_id = "alias/aws/kinesis";
  s.shard_level_metrics = {"IncomingBytes", "ALL"};
  s.tags = {{"team", "data"}, {"empty", ""}, {"quote\"d", "ünï\\code\n"}};
  const auto halves = split_evenly(2);
  ShardMeta parent{shard_id_for_index(0), 0, {0, kUint128Max}, "", "", 1700000000123, 1700000005000, 41};
  ShardMeta left{shard_id_for_index(1), 1, halves[0], parent.shard_id, "", 1700000005000, 0, std::nullopt};
  ShardMeta right{shard_id_for_index(2), 2, halves[1], parent.shard_id, "shardId-000000000009", 1700000005000, 0,
                  std::nullopt};
  s.shards = {parent, left, right};
  s.next_shard_index = 3;
  return s;
}

TEST(StreamRegistryCatalog, SnapshotLoadRoundTripPreservesEveryField) {
  StreamMeta rich = rich_stream();
  StreamMeta deleting = rich_stream();
  deleting.name = "deleting";
  deleting.mode = StreamMode::kProvisioned;
  deleting.warm_throughput_mibps.reset();
  deleting.delete_at_ms = 1700000020000;
  StreamRegistry first{RegistryLimits{}};
  ASSERT_TRUE(first.load(encode_catalog({&rich, &deleting})).ok());

  StreamRegistry second{RegistryLimits{}};
  ASSERT_TRUE(second.load(first.snapshot(nullptr)).ok());
  const int64_t now = 1700000010000;
  auto got_rich = second.find(kWest, rich.name, now);
  ASSERT_TRUE(got_rich.ok()) << got_rich.error().message;
  expect_same_stream(rich, *got_rich);
  EXPECT_EQ(got_rich->status(1700000008000), StreamStatus::kUpdating);
  auto got_deleting = second.find(kWest, "deleting", now);
  ASSERT_TRUE(got_deleting.ok());
  expect_same_stream(deleting, *got_deleting);
  EXPECT_EQ(got_deleting->status(now), StreamStatus::kDeleting);
  EXPECT_FALSE(second.find(kWest, "deleting", 1700000020000).ok()) << "deletion still completes after a reload";
  EXPECT_EQ(first.snapshot(nullptr), second.snapshot(nullptr));
}

TEST(StreamRegistryCatalog, StreamsCreatedThroughTheRegistrySurviveAReload) {
  StreamRegistry first{RegistryLimits{}};
  CreateStreamRequest req = provisioned("orders", 7);
  req.tags = {{"k", "v"}};
  ASSERT_TRUE(first.create_stream(kEast, req, 1000).ok());
  ASSERT_TRUE(first.create_stream(kWest, provisioned("orders", 2), 1000).ok());
  ASSERT_TRUE(first.create_stream(kEast, provisioned("doomed", 1), 1000).ok());
  ASSERT_TRUE(first.delete_stream(kEast, "doomed", 2000).ok());

  StreamRegistry second{RegistryLimits{}};
  ASSERT_TRUE(second.load(first.snapshot(nullptr)).ok());
  for (const char* region : {kEast, kWest}) {
    auto a = first.find(region, "orders", 1200);
    auto b = second.find(region, "orders", 1200);
    ASSERT_TRUE(a.ok() && b.ok()) << region;
    expect_same_stream(*a, *b);
    EXPECT_EQ(b->status(1200), StreamStatus::kCreating);
  }
  EXPECT_EQ(second.find(kEast, "doomed", 2100)->status(2100), StreamStatus::kDeleting);
  EXPECT_FALSE(second.find(kEast, "doomed", 2500).ok());
  EXPECT_EQ(second.create_stream(kEast, provisioned("orders", 1), 3000).error().code, ErrorCode::kResourceInUse);
}

TEST(StreamRegistryCatalog, LoadReplacesContentAndTakesTheConfiguredAccount) {
  RegistryLimits limits;
  limits.account = "123456789012";
  StreamRegistry registry(limits);
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("old", 1), 0).ok());
  StreamMeta rich = rich_stream();
  ASSERT_TRUE(registry.load(encode_catalog({&rich})).ok());
  EXPECT_FALSE(registry.find(kEast, "old", 1000).ok());
  auto s = registry.find(kWest, rich.name, 1700000010000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->account, "123456789012");
  EXPECT_EQ(s->arn(), "arn:aws:kinesis:us-west-2:123456789012:stream/rich.stream-1");
}

TEST(StreamRegistryCatalog, LoadRefusesBadDocumentsAndKeepsTheCatalog) {
  StreamRegistry registry{RegistryLimits{}};
  ASSERT_TRUE(registry.create_stream(kEast, provisioned("keep", 2), 0).ok());
  const std::string before = registry.snapshot(nullptr);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "catalog: not a JSON object"},
      {"garbage", "catalog: not a JSON object"},
      {"[]", "catalog: not a JSON object"},
      {R"({"streams":[]})", "catalog: unknown format version"},
      {R"({"format":2,"streams":[]})", "catalog: unknown format version"},
      {R"({"format":"1","streams":[]})", "catalog: unknown format version"},
      {R"({"format":1})", "catalog: no streams array"},
      {R"({"format":1,"streams":[7]})", "catalog: stream is not an object"},
  };
  for (const auto& [json, message] : cases) {
    const Status s = registry.load(json);
    ASSERT_FALSE(s.ok()) << json;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << json;
    EXPECT_EQ(s.error().message, message) << json;
    EXPECT_EQ(registry.snapshot(nullptr), before) << "a failed load must leave the catalog as it was: " << json;
  }
  std::string no_name = before;
  const size_t name_at = no_name.find("\"name\":\"keep\",");
  ASSERT_NE(name_at, std::string::npos) << before;
  no_name.erase(name_at, std::string("\"name\":\"keep\",").size());
  const Status missing = registry.load(no_name);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "catalog: missing string name");
  std::string bad_range = before;
  const size_t at = bad_range.find("\"start\":\"0\"");
  ASSERT_NE(at, std::string::npos) << before;
  bad_range.replace(at, 11, "\"start\":\"-1\"");
  const Status s = registry.load(bad_range);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "catalog: shard hash range unreadable");
  EXPECT_TRUE(registry.find(kEast, "keep", 1000).ok());
}

TEST(StreamRegistryCatalog, TagsWithEmbeddedNulBytesSurviveAReload) {
  // Tag keys and values are arbitrary JSON strings ("\u0000" included) and are kept in memory intact.
  StreamRegistry first{RegistryLimits{}};
  CreateStreamRequest req = provisioned("t", 1);
  req.tags = {{std::string("k\0ey", 4), std::string("va\0lue", 6)}};
  ASSERT_TRUE(first.create_stream(kEast, req, 0).ok());
  ASSERT_EQ(first.find(kEast, "t", 0)->tags, req.tags);
  StreamRegistry second{RegistryLimits{}};
  ASSERT_TRUE(second.load(first.snapshot(nullptr)).ok());
  EXPECT_EQ(second.find(kEast, "t", 0)->tags, req.tags);
}

}  // namespace
}  // namespace kinesisd::engine
