// Hash-key ranges of shards: the 2^128 key space split evenly, the last shard ending at 2^128-1.
#pragma once

#include <vector>

#include "kinesisd/util/uint128.hpp"

namespace kinesisd::engine {

struct HashRange {
  uint128 start = 0;
  uint128 end = 0;  // inclusive
  bool contains(uint128 key) const { return key >= start && key <= end; }
  friend bool operator==(const HashRange&, const HashRange&) = default;
};

// Splits [0, 2^128-1] into `count` contiguous ranges of floor(2^128/count) keys; the last takes the remainder.
// REQUIRES: count >= 1.
std::vector<HashRange> split_evenly(uint64_t count);

}  // namespace kinesisd::engine
