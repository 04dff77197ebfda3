// engine::TokenBucket, driven by a fake clock through its now_ms arguments.
#include <gtest/gtest.h>

#include <cstdint>

#include "kinesisd/engine/token_bucket.hpp"

namespace kinesisd::engine {
namespace {

// A realistic epoch-milliseconds start, far from zero.
constexpr int64_t kT0 = 1'700'000'000'000;

TEST(TokenBucketTest, StartsFull) {
  TokenBucket b(1000, 1000);
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 1000.0);
  EXPECT_TRUE(b.available(kT0));
  TokenBucket small(5, 5);
  EXPECT_DOUBLE_EQ(small.tokens(kT0), 5.0);
  // The capacity need not equal the rate.
  TokenBucket burst(10, 50);
  EXPECT_DOUBLE_EQ(burst.tokens(kT0), 50.0);
}

TEST(TokenBucketTest, TryTakeDrainsAndRefusesWhenEmpty) {
  TokenBucket b(5, 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.try_take(1, kT0)) << i;
  EXPECT_FALSE(b.try_take(1, kT0));
  EXPECT_FALSE(b.available(kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 0.0);
  // A refusal takes nothing.
  EXPECT_FALSE(b.try_take(1, kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 0.0);
}

TEST(TokenBucketTest, PartialTakeRefusedWithoutTakingAnything) {
  TokenBucket b(100, 100);
  ASSERT_TRUE(b.try_take(70, kT0));
  EXPECT_FALSE(b.try_take(31, kT0));  // 30 left
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 30.0);
  EXPECT_TRUE(b.try_take(30, kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 0.0);
}

TEST(TokenBucketTest, RefillsProportionally) {
  TokenBucket b(1000, 1000);
  ASSERT_TRUE(b.try_take(1000, kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 0.0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 1), 1.0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 500), 500.0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 750), 750.0);
  EXPECT_FALSE(b.try_take(751, kT0 + 750));
  EXPECT_TRUE(b.try_take(750, kT0 + 750));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 750), 0.0);
}

TEST(TokenBucketTest, FractionalRefillAccumulates) {
  TokenBucket b(5, 5);  // one token every 200 ms
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b.try_take(1, kT0));
  EXPECT_FALSE(b.try_take(1, kT0 + 199));
  EXPECT_NEAR(b.tokens(kT0 + 199), 0.995, 1e-9);
  EXPECT_TRUE(b.try_take(1, kT0 + 200));
  // Many small steps add up like one big step.
  for (int64_t t = kT0 + 210; t <= kT0 + 400; t += 10) b.tokens(t);
  EXPECT_NEAR(b.tokens(kT0 + 400), 1.0, 1e-9);
}

TEST(TokenBucketTest, NeverAboveCapacity) {
  TokenBucket b(1000, 1000);
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 10'000), 1000.0);
  ASSERT_TRUE(b.try_take(100, kT0 + 10'000));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 10'050), 950.0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 10'100), 1000.0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 3'600'000), 1000.0);
  TokenBucket burst(10, 50);
  EXPECT_DOUBLE_EQ(burst.tokens(kT0 + 3'600'000), 50.0);
}

TEST(TokenBucketTest, OversizedRequestPassesOnlyWhenFullAndLeavesDebt) {
  TokenBucket b(1000, 1000);
  // Not full: an oversized request is refused.
  ASSERT_TRUE(b.try_take(1, kT0));
  EXPECT_FALSE(b.try_take(1500, kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 999.0);
  // Full again after 1 ms: it passes once, leaving the bucket 500 in debt.
  EXPECT_TRUE(b.try_take(1500, kT0 + 1));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 1), -500.0);
  EXPECT_FALSE(b.available(kT0 + 1));
  // Nothing passes until the debt is repaid: 500 ms to get back to zero, 1 ms more for one token.
  EXPECT_FALSE(b.try_take(1, kT0 + 1));
  EXPECT_FALSE(b.try_take(1, kT0 + 300));
  EXPECT_FALSE(b.available(kT0 + 501));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 501), 0.0);
  EXPECT_FALSE(b.try_take(1, kT0 + 501));
  EXPECT_TRUE(b.try_take(1, kT0 + 502));
  // A second oversized request needs a full bucket again.
  EXPECT_FALSE(b.try_take(1500, kT0 + 1000));
  EXPECT_TRUE(b.try_take(1500, kT0 + 2000));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 2000), -500.0);
}

TEST(TokenBucketTest, ChargeGoesIntoDebt) {
  TokenBucket b(2.0 * 1024 * 1024, 2.0 * 1024 * 1024);  // the read-bytes budget: 2 MiB/s
  b.charge(10.0 * 1024 * 1024, kT0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0), -8.0 * 1024 * 1024);
  EXPECT_FALSE(b.available(kT0));
  // One second later: still 6 MiB in debt.
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 1000), -6.0 * 1024 * 1024);
  EXPECT_FALSE(b.available(kT0 + 1000));
  EXPECT_FALSE(b.try_take(1, kT0 + 1000));
  // Four seconds after the charge the debt is paid; the bucket then fills as usual.
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 4000), 0.0);
  EXPECT_TRUE(b.available(kT0 + 4001));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 5000), 2.0 * 1024 * 1024);
}

TEST(TokenBucketTest, ChargeWithinBalanceAndZero) {
  TokenBucket b(100, 100);
  b.charge(40, kT0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 60.0);
  b.charge(0, kT0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0), 60.0);
  EXPECT_TRUE(b.try_take(60, kT0));
  b.charge(1, kT0);
  EXPECT_DOUBLE_EQ(b.tokens(kT0), -1.0);
}

TEST(TokenBucketTest, Available) {
  TokenBucket b(10, 10);
  EXPECT_TRUE(b.available(kT0));
  ASSERT_TRUE(b.try_take(9.5, kT0));
  EXPECT_FALSE(b.available(kT0));  // half a token is not a token
  EXPECT_TRUE(b.available(kT0 + 50));  // +0.5
  // available() takes nothing.
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 50), 1.0);
  EXPECT_TRUE(b.available(kT0 + 50));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 50), 1.0);
}

TEST(TokenBucketTest, AvailableWhenFullEvenBelowOneToken) {
  // A bucket whose capacity is under one token still admits when full.
  TokenBucket b(0.5, 0.5);
  EXPECT_TRUE(b.available(kT0));
  EXPECT_TRUE(b.try_take(1, kT0));  // full: passes into debt
  EXPECT_FALSE(b.available(kT0));
  EXPECT_DOUBLE_EQ(b.tokens(kT0), -0.5);
}

TEST(TokenBucketTest, ClockGoingBackwardsAddsNoTokens) {
  TokenBucket b(1000, 1000);
  ASSERT_TRUE(b.try_take(1000, kT0 + 10'000));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 5'000), 0.0);  // back 5 s
  EXPECT_FALSE(b.try_take(1, kT0 + 5'000));
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 4'000), 0.0);  // and further back
  // Time is then measured from the earlier reading: 100 ms later, 100 tokens.
  EXPECT_DOUBLE_EQ(b.tokens(kT0 + 4'100), 100.0);
}

TEST(TokenBucketTest, SameInstantAddsNothing) {
  TokenBucket b(1000, 1000);
  ASSERT_TRUE(b.try_take(1000, kT0));
  for (int i = 0; i < 10; ++i) EXPECT_DOUBLE_EQ(b.tokens(kT0), 0.0);
}

TEST(TokenBucketTest, FakeClockStartingAtZeroRefills) {
  TokenBucket b(1000, 1000);
  ASSERT_TRUE(b.try_take(1000, 0));
  EXPECT_DOUBLE_EQ(b.tokens(0), 0.0);
  EXPECT_DOUBLE_EQ(b.tokens(500), 500.0);
  EXPECT_DOUBLE_EQ(b.tokens(1000), 1000.0);
}

}  // namespace
}  // namespace kinesisd::engine
