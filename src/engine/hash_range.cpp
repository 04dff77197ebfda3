#include "kinesisd/engine/hash_range.hpp"

namespace kinesisd::engine {

std::vector<HashRange> split_evenly(uint64_t count) {
  // floor(2^128 / n) without representing 2^128: (2^128 - 1) / n, plus one when n divides 2^128 exactly.
  const uint128 n = count;
  const uint128 width = kUint128Max / n + ((kUint128Max % n) + 1 == n ? 1 : 0);
  std::vector<HashRange> ranges;
  ranges.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    HashRange r;
    r.start = width * i;
    r.end = (i + 1 == count) ? kUint128Max : width * (i + 1) - 1;
    ranges.push_back(r);
  }
  return ranges;
}

}  // namespace kinesisd::engine
