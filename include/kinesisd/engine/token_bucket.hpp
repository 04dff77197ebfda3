// A token bucket that takes `now` as an argument, so tests drive it with a fake clock.
// Tokens refill continuously at `rate` per second up to `capacity` (one second's worth by default).
#pragma once

#include <algorithm>
#include <cstdint>

namespace kinesisd::engine {

class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double capacity) : rate_(rate_per_second), capacity_(capacity), tokens_(capacity) {}

  // Takes `n` tokens when there are enough, or when the bucket is full (so that a single request larger than the
  // capacity is served once, leaving the bucket in debt). Returns false, taking nothing, otherwise.
  bool try_take(double n, int64_t now_ms) {
    refill(now_ms);
    if (tokens_ >= n || tokens_ >= capacity_) {
      tokens_ -= n;
      return true;
    }
    return false;
  }
  // Whether a token can be had now (the bucket is not empty or in debt).
  bool available(int64_t now_ms) {
    refill(now_ms);
    return tokens_ >= 1.0 || (tokens_ > 0 && tokens_ >= capacity_);
  }
  // Takes `n` tokens unconditionally; the bucket may go into debt, which later refills pay off.
  void charge(double n, int64_t now_ms) {
    refill(now_ms);
    tokens_ -= n;
  }
  double tokens(int64_t now_ms) {
    refill(now_ms);
    return tokens_;
  }

 private:
  void refill(int64_t now_ms) {
    if (!started_ || now_ms < last_ms_) {  // first reading, or a clock that went back: no tokens for it
      started_ = true;
      last_ms_ = now_ms;
      return;
    }
    tokens_ = std::min(capacity_, tokens_ + rate_ * static_cast<double>(now_ms - last_ms_) / 1000.0);
    last_ms_ = now_ms;
  }

  double rate_;
  double capacity_;
  double tokens_;
  int64_t last_ms_ = 0;
  bool started_ = false;
};

}  // namespace kinesisd::engine
