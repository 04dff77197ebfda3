// Request rates as keyed token buckets: one bucket per key (the caller composes it from an operation and a scope:
// account and region, stream or shard), created full on first use. This is how AWS's control-plane API limits
// ("5 transactions per second per account") are enforced: as rates, never as caps on calls in flight.
//
// Thread-safe with fine-grained locking: keys hash to one of a fixed number of partitions, each with its own
// mutex, so calls on different streams and shards rarely contend and no lock is held for more than a map lookup.
//
// Memory stays bounded: a bucket that has refilled to its capacity is indistinguishable from a new one, so
// dropping it changes nothing. Each partition drops its full buckets at most every `sweep_interval_ms` (on a call
// that lands in it), so buckets of deleted streams and shards, or of names that never existed, do not accumulate:
// what is kept is about the keys used within the last sweep interval plus one refill time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kinesisd/engine/token_bucket.hpp"

namespace kinesisd::engine {

struct Rate {
  double per_second = 1;  // refill rate
  double burst = 0;       // capacity; 0 means one second's worth (`per_second`)
};

struct RateLimiterOptions {
  bool enabled = true;                // false: every call passes and no bucket is kept
  std::size_t partitions = 16;        // independent locks
  int64_t sweep_interval_ms = 5'000;  // how often a partition drops its full buckets
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options = {});

  bool enabled() const { return options_.enabled; }

  // Takes one token from the bucket of `key` (created full with `rate` when absent) and answers true, or answers
  // false, taking nothing, when the bucket is empty. Always true when disabled. A bucket keeps the rate it was
  // created with, so a key must always be used with the same rate.
  bool try_acquire(std::string_view key, Rate rate, int64_t now_ms);

  // Drops every bucket that is full at `now_ms`; returns how many were dropped. Calls do this by themselves,
  // partition by partition; this is for tests and for an idle server's timer.
  std::size_t evict_idle(int64_t now_ms);

  // Buckets currently kept.
  std::size_t size() const;

 private:
  struct Entry {
    TokenBucket bucket;
    double capacity;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
  };
  struct Partition {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> buckets;
    int64_t next_sweep_ms = 0;
  };

  static std::size_t sweep(Partition& p, int64_t now_ms);  // REQUIRES: p.mu held

  RateLimiterOptions options_;
  std::unique_ptr<Partition[]> partitions_;
};

}  // namespace kinesisd::engine
