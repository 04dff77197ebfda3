// Sequence numbers: 56-digit decimal strings, like AWS's, that encode where a record lives.
//
// Layout of the 186-bit integer, most significant first:
//   1 bit   marker (always 1: puts the value in [2^185, 2^185 + 2^184), i.e. 56 digits starting 49..73)
//   40 bits creation time of the shard, epoch seconds
//   40 bits shard index (the number in shardId-000000000007)
//   64 bits position of the record in the shard's log
//   40 bits sub-position: 1 (kRecordSub) in a record's own number, 0 (kBeforeSub) in a number that marks the point
//           just before a position: a shard's StartingSequenceNumber (before position 0), or a
//           ContinuationSequenceNumber when nothing was delivered yet. Other values are reserved.
// Within a shard, numbers grow strictly with the position; a child shard's numbers exceed its parents'
// because children are created later. AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER decode the shard and
// position directly: AFTER a record starts at the next position, AFTER a "before" mark at the marked one, as on
// AWS, where AFTER_SEQUENCE_NUMBER with a shard's StartingSequenceNumber yields its first record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kinesisd::engine {

inline constexpr uint64_t kBeforeSub = 0;
inline constexpr uint64_t kRecordSub = 1;

struct SequenceNumber {
  uint64_t shard_created_secs = 0;  // < 2^40
  uint64_t shard_index = 0;         // < 2^40
  uint64_t position = 0;
  uint64_t sub_position = 0;        // < 2^40

  static SequenceNumber of_record(uint64_t created_secs, uint64_t index, uint64_t position) {
    return {created_secs, index, position, kRecordSub};
  }
  static SequenceNumber before(uint64_t created_secs, uint64_t index, uint64_t position) {
    return {created_secs, index, position, kBeforeSub};
  }
  // Where an iterator or subscription of type AT_SEQUENCE_NUMBER (after = false) or AFTER_SEQUENCE_NUMBER
  // (after = true) with this number starts.
  uint64_t start_position(bool after) const {
    return after && sub_position != kBeforeSub ? position + 1 : position;
  }

  std::string to_string() const;
  // Parses a decimal sequence number of this layout; nullopt for anything else (wrong length, digits, marker).
  static std::optional<SequenceNumber> parse(std::string_view text);
  friend bool operator==(const SequenceNumber&, const SequenceNumber&) = default;
};

}  // namespace kinesisd::engine
