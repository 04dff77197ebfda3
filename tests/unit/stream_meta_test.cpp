// StreamMeta's derived facts: daily quotas, consumer status and ARNs.
#include <gtest/gtest.h>

#include "kinesisd/engine/catalog_codec.hpp"
#include "kinesisd/engine/stream_meta.hpp"

namespace kinesisd::engine {
namespace {

constexpr int64_t kDay = 24 * 3'600'000;

TEST(DailyQuota, AllowsPerDayCallsInAnyRolling24Hours) {
  StreamMeta s;
  const int64_t t0 = 1'795'000'000'000;
  EXPECT_TRUE(s.take_daily_quota("UpdateStreamMode", 2, t0));
  EXPECT_TRUE(s.take_daily_quota("UpdateStreamMode", 2, t0 + 1000));
  EXPECT_FALSE(s.take_daily_quota("UpdateStreamMode", 2, t0 + 2000));
  EXPECT_FALSE(s.take_daily_quota("UpdateStreamMode", 2, t0 + kDay - 1));
  EXPECT_TRUE(s.take_daily_quota("UpdateStreamMode", 2, t0 + kDay));  // a call exactly a day old no longer counts
  EXPECT_FALSE(s.take_daily_quota("UpdateStreamMode", 2, t0 + kDay + 1));
  EXPECT_TRUE(s.take_daily_quota("UpdateStreamMode", 2, t0 + kDay + 1000));
  // Operations count separately.
  EXPECT_TRUE(s.take_daily_quota("StartStreamEncryption", 25, t0 + 3000));
}

TEST(DailyQuota, SurvivesTheCatalog) {
  StreamMeta s;
  s.name = "q";
  s.region = "us-east-1";
  s.shards.push_back(ShardMeta{});
  ASSERT_TRUE(s.take_daily_quota("UpdateShardCount", 10, 1000));
  ASSERT_TRUE(s.take_daily_quota("UpdateShardCount", 10, 2000));
  auto back = decode_catalog(encode_catalog({&s}));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].daily_quota_calls.at("UpdateShardCount"), (std::vector<int64_t>{1000, 2000}));
}

TEST(ConsumerMeta, StatusAndArn) {
  ConsumerMeta c;
  c.name = "app";
  c.created_ms = 1'795'000'000'999;
  c.ready_at_ms = c.created_ms + 500;
  EXPECT_EQ(c.status(c.created_ms), ConsumerStatus::kCreating);
  EXPECT_EQ(c.status(c.ready_at_ms), ConsumerStatus::kActive);
  c.delete_at_ms = c.ready_at_ms + 100;
  EXPECT_EQ(c.status(c.ready_at_ms + 50), ConsumerStatus::kDeleting);
  EXPECT_EQ(c.status(c.delete_at_ms), ConsumerStatus::kGone);
  EXPECT_EQ(c.arn("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
            "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app:1795000000");
}

}  // namespace
}  // namespace kinesisd::engine
