#include "kinesisd/engine/rate_limiter.hpp"

#include <algorithm>

namespace kinesisd::engine {

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options) {
  options_.partitions = std::max<std::size_t>(1, options_.partitions);
  partitions_ = std::make_unique<Partition[]>(options_.partitions);
}

bool RateLimiter::try_acquire(std::string_view key, Rate rate, int64_t now_ms) {
  if (!options_.enabled) return true;
  Partition& p = partitions_[KeyHash{}(key) % options_.partitions];
  std::lock_guard lock(p.mu);
  if (now_ms >= p.next_sweep_ms || now_ms + options_.sweep_interval_ms < p.next_sweep_ms) {  // due, or clock went back
    sweep(p, now_ms);
    p.next_sweep_ms = now_ms + options_.sweep_interval_ms;
  }
  auto it = p.buckets.find(key);
  if (it == p.buckets.end()) {
    const double capacity = rate.burst > 0 ? rate.burst : rate.per_second;
    it = p.buckets.emplace(std::string(key), Entry{TokenBucket(rate.per_second, capacity), capacity}).first;
  }
  return it->second.bucket.try_take(1.0, now_ms);
}

std::size_t RateLimiter::sweep(Partition& p, int64_t now_ms) {
  std::size_t dropped = 0;
  for (auto it = p.buckets.begin(); it != p.buckets.end();) {
    if (it->second.bucket.tokens(now_ms) >= it->second.capacity) {
      it = p.buckets.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

std::size_t RateLimiter::evict_idle(int64_t now_ms) {
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < options_.partitions; ++i) {
    std::lock_guard lock(partitions_[i].mu);
    dropped += sweep(partitions_[i], now_ms);
  }
  return dropped;
}

std::size_t RateLimiter::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < options_.partitions; ++i) {
    std::lock_guard lock(partitions_[i].mu);
    n += partitions_[i].buckets.size();
  }
  return n;
}

}  // namespace kinesisd::engine
