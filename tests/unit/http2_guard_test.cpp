#include "kinesisd/net/http2_guard.hpp"

#include <gtest/gtest.h>

namespace kinesisd::net {
namespace {

using std::chrono::milliseconds;
const auto t0 = Http2Guard::Clock::time_point{} + std::chrono::hours(1);

TEST(Http2Guard, StreamsMustDeliverHeadersThenBodyInTime) {
  Http2Guard g(milliseconds(100), milliseconds(1000));
  EXPECT_FALSE(g.next_deadline());
  g.stream_opened(1, t0);
  g.stream_opened(3, t0 + milliseconds(50));
  EXPECT_EQ(g.next_deadline(), t0 + milliseconds(100));
  g.headers_complete(1, t0 + milliseconds(60));  // now its body has until t0 + 1060
  EXPECT_EQ(g.next_deadline(), t0 + milliseconds(150));
  EXPECT_TRUE(g.take_expired(t0 + milliseconds(149)).empty());
  EXPECT_EQ(g.take_expired(t0 + milliseconds(150)), std::vector<int32_t>{3});
  EXPECT_EQ(g.next_deadline(), t0 + milliseconds(1060));
  g.request_complete(1);  // the answer, however long, has no deadline here
  EXPECT_FALSE(g.next_deadline());
  EXPECT_TRUE(g.take_expired(t0 + std::chrono::hours(1)).empty());
}

TEST(Http2Guard, AStreamClosedBeforeItsDeadlineIsForgotten) {
  Http2Guard g(milliseconds(100), milliseconds(100));
  g.stream_opened(5, t0);
  g.request_complete(5);
  g.headers_complete(5, t0);  // late news of a forgotten stream brings no deadline back
  EXPECT_TRUE(g.take_expired(t0 + milliseconds(500)).empty());
}

TEST(Http2Guard, ControlFramesHaveABudget) {
  Http2Guard g(milliseconds(100), milliseconds(100), /*burst=*/10, /*per_second=*/5);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(g.control_frame(t0)) << i;
  EXPECT_FALSE(g.control_frame(t0));
  EXPECT_FALSE(g.control_frame(t0 + std::chrono::seconds(10)));  // once flooded, always flooded
}

TEST(Http2Guard, ControlFramesAtAModestRateNeverRunOut) {
  Http2Guard g(milliseconds(100), milliseconds(100), /*burst=*/10, /*per_second=*/5);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(g.control_frame(t0 + milliseconds(200 * i))) << i;  // 5 a second
}

}  // namespace
}  // namespace kinesisd::net
