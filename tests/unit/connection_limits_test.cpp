#include "kinesisd/net/connection_limits.hpp"

#include <gtest/gtest.h>

namespace kinesisd::net {
namespace {

using boost::asio::ip::make_address;
using Verdict = ConnectionLimiter::Verdict;

TEST(ConnectionLimiter, CapsEachAddressAndTheTotal) {
  ConnectionLimiter limiter;
  limiter.set_limits(3, 2);
  const auto a = make_address("127.0.0.1"), b = make_address("127.0.0.2"), c = make_address("::1");
  EXPECT_EQ(limiter.admit(a), Verdict::kAdmitted);
  EXPECT_EQ(limiter.admit(a), Verdict::kAdmitted);
  EXPECT_EQ(limiter.admit(a), Verdict::kAddressLimit);
  EXPECT_EQ(limiter.count(a), 2u);
  EXPECT_EQ(limiter.admit(b), Verdict::kAdmitted);
  EXPECT_EQ(limiter.admit(c), Verdict::kTotalLimit);  // 3 open in all
  EXPECT_EQ(limiter.total(), 3u);
  EXPECT_EQ(limiter.count(c), 0u);
  limiter.release(a);
  EXPECT_EQ(limiter.admit(c), Verdict::kAdmitted);  // a released slot is reusable by anyone
  EXPECT_EQ(limiter.admit(a), Verdict::kTotalLimit);
  limiter.release(b);
  limiter.release(c);
  limiter.release(a);
  EXPECT_EQ(limiter.total(), 0u);
  EXPECT_EQ(limiter.count(a), 0u);
}

TEST(ConnectionLimiter, ReportsRefusalsAtMostOncePerInterval) {
  ConnectionLimiter limiter;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  ASSERT_EQ(limiter.note_refusal(t0), std::optional<uint64_t>(1));
  for (int i = 1; i <= 500; ++i) EXPECT_FALSE(limiter.note_refusal(t0 + std::chrono::milliseconds(i)));
  // The next line, a second later, carries the 500 unreported ones and itself.
  EXPECT_EQ(limiter.note_refusal(t0 + std::chrono::milliseconds(1000)), std::optional<uint64_t>(501));
  EXPECT_FALSE(limiter.note_refusal(t0 + std::chrono::milliseconds(1500)));
}

TEST(ConnectionLimiter, RaisesTheOpenFileLimitWithoutLoweringIt) {
  const uint64_t now = raise_open_file_limit(0);  // asks for nothing: reports the current soft limit
  ASSERT_GT(now, 0u);
  EXPECT_EQ(raise_open_file_limit(now / 2), now);
  EXPECT_GE(raise_open_file_limit(now), now);
}

}  // namespace
}  // namespace kinesisd::net
