// Per-connection defences of an HTTP/2 session that nghttp2 leaves to the application: a deadline for each
// request stream to deliver its headers and then its body, and a budget of control frames (SETTINGS, PING,
// PRIORITY, RST_STREAM) beyond which the peer is flooding. Time is an argument, so tests are deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace kinesisd::net {

class Http2Guard {
 public:
  using Clock = std::chrono::steady_clock;

  // Control frames: a bucket of `burst` frames refilled at `per_second`.
  Http2Guard(std::chrono::milliseconds header_timeout, std::chrono::milliseconds body_timeout,
             double burst = 1000, double per_second = 100);

  // A request stream began (its first HEADERS frame): its headers must be complete by now + header_timeout.
  void stream_opened(int32_t id, Clock::time_point now);
  // Its headers are complete but not its body: the body must be complete by now + body_timeout.
  void headers_complete(int32_t id, Clock::time_point now);
  // The request is complete (END_STREAM) or the stream closed: no deadline any more. Answers take as long as
  // they take (SubscribeToShard streams last minutes).
  void request_complete(int32_t id);

  // The streams whose deadline has passed, which are forgotten.
  std::vector<int32_t> take_expired(Clock::time_point now);
  std::optional<Clock::time_point> next_deadline() const;

  // Counts one control frame; false once the peer has exceeded the budget (then always false).
  bool control_frame(Clock::time_point now);

 private:
  std::chrono::milliseconds header_timeout_;
  std::chrono::milliseconds body_timeout_;
  std::map<int32_t, Clock::time_point> deadlines_;
  double burst_;
  double per_second_;
  double tokens_;
  std::optional<Clock::time_point> last_refill_;
  bool flooded_ = false;
};

}  // namespace kinesisd::net
