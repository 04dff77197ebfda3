// Shard iterators: opaque tokens naming a stream incarnation, a shard and a position, authenticated with an
// HMAC-SHA256 (truncated to 128 bits) under a key kept in the data dir, so they survive restarts and cannot be
// forged. They expire five minutes after they are issued.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

inline constexpr int64_t kIteratorLifetimeMs = 300'000;

struct IteratorState {
  std::string region;
  std::string stream_name;
  int64_t stream_created_ms = 0;
  uint64_t shard_index = 0;
  uint64_t position = 0;
  int64_t issued_ms = 0;
};

class IteratorCodec {
 public:
  // REQUIRES: key of at least 16 bytes.
  explicit IteratorCodec(std::string key) : key_(std::move(key)) {}

  std::string encode(const IteratorState& state) const;
  // InvalidArgument "Invalid ShardIterator." for anything not issued by us; ExpiredIterator with AWS's message
  // once older than five minutes.
  Result<IteratorState> decode(std::string_view token, int64_t now_ms) const;

 private:
  std::string mac(std::string_view bytes) const;
  std::string key_;
};

// "Thu Jan 22 01:22:02 UTC 2015", as AWS writes times in iterator messages.
std::string amz_utc_string(int64_t epoch_ms);

}  // namespace kinesisd::engine
