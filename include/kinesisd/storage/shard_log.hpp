// The segmented log of one shard: appends by one writer at a time, reads from any thread without blocking the
// writer, seeks by position and by arrival time, retention by whole segments. See docs/log-format.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

#include "kinesisd/storage/log_segment.hpp"
#include "kinesisd/storage/record_frame.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::storage {

struct StoredRecord {
  uint64_t position = 0;
  int64_t arrival_ms = 0;
  uint8_t flags = 0;
  std::string partition_key;
  std::string data;
};

struct ReadResult {
  std::vector<StoredRecord> records;
  uint64_t next_position = 0;  // where the next read continues
  size_t bytes = 0;            // data + partition keys returned
};

class ShardLog {
 public:
  struct Options {
    uint64_t segment_bytes = 64ull * 1024 * 1024;
  };

  // Opens (creating if needed) the log in `dir`, recovering its tail. `report` gets one line per problem found.
  static Result<std::unique_ptr<ShardLog>> open(const std::string& dir, Options options,
                                                std::vector<std::string>& report);

  // --- writer side: one caller at a time (the shard's actor hands writes to the storage pool one by one) ---
  // REQUIRES: records[i].position == end_position() + i, arrival times non-decreasing.
  Status append(const std::vector<RecordView>& records, bool sync);
  Status sync();
  // Deletes whole segments whose newest record arrived before `cutoff_ms`. Returns how many were deleted.
  Result<size_t> drop_expired(int64_t cutoff_ms);

  // --- reader side: any thread ---
  uint64_t start_position() const;  // the trim horizon: the oldest position still stored
  uint64_t end_position() const;    // one past the newest record
  int64_t last_arrival_ms() const;
  // Records from `from` (moved up to start_position() when older), at most `max_records` and about `max_bytes`
  // (at least one record when any is there). Internal error when a frame fails its checksum.
  Result<ReadResult> read(uint64_t from, size_t max_records, size_t max_bytes) const;
  // The first position whose arrival time is at or after `arrival_ms` (end_position() when none is).
  Result<uint64_t> position_at(int64_t arrival_ms) const;
  // Arrival time of the record at `position`, when it is stored.
  std::optional<int64_t> arrival_of(uint64_t position) const;

  const std::string& dir() const { return dir_; }

 private:
  ShardLog(std::string dir, Options options) : dir_(std::move(dir)), options_(options) {}
  std::vector<std::shared_ptr<LogSegment>> snapshot() const;
  std::shared_ptr<LogSegment> active() const;

  std::string dir_;
  Options options_;
  std::mutex write_mu_;  // append, sync, drop_expired
  mutable std::mutex list_mu_;
  std::vector<std::shared_ptr<LogSegment>> segments_;  // ordered by base; never empty; last is open
};

}  // namespace kinesisd::storage
