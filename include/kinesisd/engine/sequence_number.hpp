// Sequence numbers: 56-digit decimal strings, like AWS's, that encode where a record lives.
//
// Layout of the 186-bit integer, most significant first:
//   1 bit   marker (always 1: puts the value in [2^185, 2^185 + 2^184), i.e. 56 digits starting 49..73)
//   40 bits creation time of the shard, epoch seconds
//   40 bits shard index (the number in shardId-000000000007)
//   64 bits position of the record in the shard's log (0 for the shard's StartingSequenceNumber)
//   40 bits sub-position, reserved (0)
// Within a shard, numbers grow strictly with the position; a child shard's numbers exceed its parents'
// because children are created later. AT_SEQUENCE_NUMBER decodes the shard and position directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kinesisd::engine {

struct SequenceNumber {
  uint64_t shard_created_secs = 0;  // < 2^40
  uint64_t shard_index = 0;         // < 2^40
  uint64_t position = 0;
  uint64_t sub_position = 0;        // < 2^40

  std::string to_string() const;
  // Parses a decimal sequence number of this layout; nullopt for anything else (wrong length, digits, marker).
  static std::optional<SequenceNumber> parse(std::string_view text);
  friend bool operator==(const SequenceNumber&, const SequenceNumber&) = default;
};

}  // namespace kinesisd::engine
