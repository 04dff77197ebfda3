// engine::RateLimiter (keyed token buckets, fake clock) and api::check_rate_limit (AWS's control-plane API limits:
// scopes, errors and messages).
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "kinesisd/api/rate_limits.hpp"
#include "kinesisd/engine/rate_limiter.hpp"
#include "kinesisd/protocol/service_model.hpp"

namespace kinesisd {
namespace {

using engine::Rate;
using engine::RateLimiter;
using engine::RateLimiterOptions;

constexpr int64_t kT0 = 1'700'000'000'000;

int passes(RateLimiter& limiter, const std::string& key, Rate rate, int64_t now, int calls) {
  int n = 0;
  for (int i = 0; i < calls; ++i) n += limiter.try_acquire(key, rate, now) ? 1 : 0;
  return n;
}

TEST(RateLimiterTest, OneSecondOfCallsThenTheRate) {
  RateLimiter limiter;
  EXPECT_EQ(passes(limiter, "k", Rate{5}, kT0, 7), 5);
  EXPECT_FALSE(limiter.try_acquire("k", Rate{5}, kT0 + 100));  // half a token
  EXPECT_TRUE(limiter.try_acquire("k", Rate{5}, kT0 + 200));   // one token refilled
  EXPECT_FALSE(limiter.try_acquire("k", Rate{5}, kT0 + 200));
  EXPECT_EQ(passes(limiter, "k", Rate{5}, kT0 + 5'000, 9), 5);  // refills to the capacity, not beyond
}

TEST(RateLimiterTest, OnePerSecond) {
  RateLimiter limiter;
  EXPECT_TRUE(limiter.try_acquire("limits", Rate{1}, kT0));
  EXPECT_FALSE(limiter.try_acquire("limits", Rate{1}, kT0 + 999));
  EXPECT_TRUE(limiter.try_acquire("limits", Rate{1}, kT0 + 1'000));
}

TEST(RateLimiterTest, BurstCapacity) {
  RateLimiter limiter;
  EXPECT_EQ(passes(limiter, "k", Rate{2, 10}, kT0, 20), 10);
  EXPECT_EQ(passes(limiter, "k", Rate{2, 10}, kT0 + 1'000, 20), 2);
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter;
  EXPECT_EQ(passes(limiter, "a", Rate{5}, kT0, 10), 5);
  EXPECT_EQ(passes(limiter, "b", Rate{5}, kT0, 10), 5);
  EXPECT_EQ(passes(limiter, "a", Rate{5}, kT0, 1), 0);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiterTest, DisabledPassesEverythingAndKeepsNothing) {
  RateLimiter limiter(RateLimiterOptions{.enabled = false});
  EXPECT_FALSE(limiter.enabled());
  EXPECT_EQ(passes(limiter, "k", Rate{1}, kT0, 1'000), 1'000);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiterTest, EvictsOnlyFullBuckets) {
  RateLimiter limiter;
  EXPECT_EQ(passes(limiter, "used", Rate{5}, kT0, 5), 5);  // drained
  EXPECT_TRUE(limiter.try_acquire("touched", Rate{5}, kT0));
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_EQ(limiter.evict_idle(kT0 + 100), 0u);  // neither has refilled
  EXPECT_EQ(limiter.evict_idle(kT0 + 200), 1u);  // "touched" is full again: dropping it changes nothing
  EXPECT_EQ(limiter.size(), 1u);
  EXPECT_EQ(limiter.evict_idle(kT0 + 1'000), 1u);
  EXPECT_EQ(limiter.size(), 0u);
  // A dropped bucket comes back full, exactly as the kept one would have been.
  EXPECT_EQ(passes(limiter, "used", Rate{5}, kT0 + 1'000, 9), 5);
}

TEST(RateLimiterTest, CallsSweepTheirPartitionSoDeadKeysDoNotAccumulate) {
  RateLimiter limiter(RateLimiterOptions{.partitions = 1, .sweep_interval_ms = 1'000});
  for (int i = 0; i < 1'000; ++i) limiter.try_acquire("shard-" + std::to_string(i), Rate{5}, kT0 + i);
  EXPECT_GT(limiter.size(), 500u);
  // Every one of those buckets is full two seconds later; the next call sweeps them away.
  EXPECT_TRUE(limiter.try_acquire("other", Rate{5}, kT0 + 3'000));
  EXPECT_EQ(limiter.size(), 1u);
  // A drained bucket survives the next sweep (at 4000): what it owes is remembered.
  EXPECT_EQ(passes(limiter, "other", Rate{5}, kT0 + 3'900, 9), 5);
  EXPECT_TRUE(limiter.try_acquire("x", Rate{5}, kT0 + 4'000));
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_FALSE(limiter.try_acquire("other", Rate{5}, kT0 + 4'000));
}

TEST(RateLimiterTest, ConcurrentCallersShareOneBucketExactly) {
  RateLimiter limiter;
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.try_acquire("shared", Rate{100}, kT0)) ++passed;
        limiter.try_acquire("own-" + std::to_string(t), Rate{100}, kT0);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(passed.load(), 100);
  EXPECT_EQ(limiter.size(), 9u);
}

// --- api::check_rate_limit ---------------------------------------------------------------------------------

class CheckRateLimitTest : public ::testing::Test {
 protected:
  Status call(const std::string& op, const std::string& json, int64_t now = kT0, const std::string& region = "us-east-1") {
    rapidjson::Document in;
    in.Parse(json.c_str());
    api::CallContext ctx{protocol::ServiceModel::instance().find_operation(op), region, now};
    return api::check_rate_limit(*active, "123456789012", ctx, in);
  }
  int passes(const std::string& op, const std::string& json, int calls, int64_t now = kT0) {
    int n = 0;
    for (int i = 0; i < calls; ++i) n += call(op, json, now).ok() ? 1 : 0;
    return n;
  }
  RateLimiter limiter;
  RateLimiter* active = &limiter;
};

TEST_F(CheckRateLimitTest, TableIsSortedAndHasAwsValues) {
  EXPECT_EQ(api::find_operation_rate("DescribeLimits")->per_second, 1);
  EXPECT_EQ(api::find_operation_rate("DescribeStream")->per_second, 10);
  EXPECT_EQ(api::find_operation_rate("DescribeStreamSummary")->per_second, 20);
  EXPECT_EQ(api::find_operation_rate("ListShards")->scope, api::RateScope::kStream);
  EXPECT_EQ(api::find_operation_rate("GetShardIterator")->scope, api::RateScope::kShard);
  EXPECT_EQ(api::find_operation_rate("PutRecord"), nullptr);  // data plane: the shard actors' buckets
  EXPECT_EQ(api::find_operation_rate("TagResource"), nullptr);  // no documented limit
  for (const auto& r : api::operation_rates()) {
    EXPECT_NE(protocol::ServiceModel::instance().find_operation(std::string(r.operation)), nullptr) << r.operation;
  }
}

TEST_F(CheckRateLimitTest, AccountScopeIsSharedAcrossStreamsWithAwsMessage) {
  EXPECT_EQ(passes("DescribeStream", R"({"StreamName":"a"})", 6), 6);
  EXPECT_EQ(passes("DescribeStream", R"({"StreamName":"b"})", 6), 4);
  Status s = call("DescribeStream", R"({"StreamName":"b"})");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(s.error().message, "Rate exceeded for stream b under account 123456789012.");
  // The ARN names the stream too.
  s = call("DescribeStream", R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/c"})");
  EXPECT_EQ(s.error().message, "Rate exceeded for stream c under account 123456789012.");
  // Other operations and other regions have their own buckets.
  EXPECT_EQ(passes("DescribeStreamSummary", R"({"StreamName":"a"})", 25), 20);
  EXPECT_TRUE(call("DescribeStream", R"({"StreamName":"a"})", kT0, "eu-west-1").ok());
  // A tenth of a second gives one more call.
  EXPECT_TRUE(call("DescribeStream", R"({"StreamName":"a"})", kT0 + 100).ok());
  EXPECT_FALSE(call("DescribeStream", R"({"StreamName":"a"})", kT0 + 100).ok());
}

TEST_F(CheckRateLimitTest, AccountMessageWithoutAStream) {
  EXPECT_TRUE(call("DescribeLimits", "{}").ok());
  Status s = call("DescribeLimits", "{}", kT0 + 500);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(s.error().message, "Rate exceeded for account 123456789012.");
  EXPECT_TRUE(call("DescribeLimits", "{}", kT0 + 1'000).ok());
  EXPECT_EQ(passes("ListStreams", "{}", 8), 5);
  EXPECT_EQ(passes("CreateStream", R"({"StreamName":"x","ShardCount":1})", 7), 5);
}

TEST_F(CheckRateLimitTest, StreamScopeIsPerStream) {
  EXPECT_EQ(passes("ListShards", R"({"StreamName":"a"})", 1'100), 1'000);
  EXPECT_EQ(passes("ListShards", R"({"StreamName":"b"})", 1'100), 1'000);
  EXPECT_EQ(passes("ListShards", R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/a"})", 1), 0);
}

TEST_F(CheckRateLimitTest, GetShardIteratorIsPerShardWithThroughputError) {
  const std::string shard0 = R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"})";
  const std::string shard1 = R"({"StreamName":"s","ShardId":"shardId-000000000001","ShardIteratorType":"LATEST"})";
  EXPECT_EQ(passes("GetShardIterator", shard0, 5), 5);
  Status s = call("GetShardIterator", shard0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(s.error().message,
            "Rate exceeded for shard shardId-000000000000 in stream s under account 123456789012.");
  EXPECT_EQ(passes("GetShardIterator", shard1, 6), 5);
  EXPECT_EQ(passes("GetShardIterator", shard0, 2, kT0 + 200), 1);
}

TEST_F(CheckRateLimitTest, UnlimitedOperationsAndTheOffSwitch) {
  EXPECT_EQ(passes("TagResource", R"({"ResourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/a","Tags":{}})", 100),
            100);
  EXPECT_EQ(limiter.size(), 0u);
  RateLimiter off(RateLimiterOptions{.enabled = false});
  active = &off;
  EXPECT_EQ(passes("DescribeLimits", "{}", 50), 50);
  EXPECT_EQ(passes("CreateStream", R"({"StreamName":"x","ShardCount":1})", 50), 50);
}

}  // namespace
}  // namespace kinesisd
