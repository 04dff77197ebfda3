#include "kinesisd/net/http2_guard.hpp"

#include <algorithm>

namespace kinesisd::net {

Http2Guard::Http2Guard(std::chrono::milliseconds header_timeout, std::chrono::milliseconds body_timeout,
                       double burst, double per_second)
    : header_timeout_(header_timeout),
      body_timeout_(body_timeout),
      burst_(burst),
      per_second_(per_second),
      tokens_(burst) {}

void Http2Guard::stream_opened(int32_t id, Clock::time_point now) {
  deadlines_[id] = now + header_timeout_;
}

void Http2Guard::headers_complete(int32_t id, Clock::time_point now) {
  auto it = deadlines_.find(id);
  if (it != deadlines_.end()) it->second = now + body_timeout_;
}

void Http2Guard::request_complete(int32_t id) {
  deadlines_.erase(id);
}

std::vector<int32_t> Http2Guard::take_expired(Clock::time_point now) {
  std::vector<int32_t> out;
  for (auto it = deadlines_.begin(); it != deadlines_.end();) {
    if (it->second <= now) {
      out.push_back(it->first);
      it = deadlines_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<Http2Guard::Clock::time_point> Http2Guard::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& [id, at] : deadlines_) {
    if (!next || at < *next) next = at;
  }
  return next;
}

bool Http2Guard::control_frame(Clock::time_point now) {
  if (flooded_) return false;
  if (last_refill_) {
    const double seconds = std::chrono::duration<double>(now - *last_refill_).count();
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, seconds) * per_second_);
  }
  last_refill_ = now;
  if (tokens_ < 1) {
    flooded_ = true;
    return false;
  }
  tokens_ -= 1;
  return true;
}

}  // namespace kinesisd::net
