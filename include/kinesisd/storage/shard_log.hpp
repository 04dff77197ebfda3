// The segmented log of one shard: appends by one writer at a time, reads from any thread without blocking the
// writer, seeks by position and by arrival time, retention by whole segments. See docs/log-format.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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
    Env* env = Env::posix();
  };

  // Opens (creating if needed) the log in `dir`, recovering its tail. `report` gets one line per problem found.
  static Result<std::unique_ptr<ShardLog>> open(const std::string& dir, Options options,
                                                std::vector<std::string>& report);

  // --- writer side: one caller at a time (the shard's actor hands writes to the storage pool one by one) ---
  // The fault rule (docs/reliability.md): a failed write or sync fences the log. A fenced log refuses appends
  // (kUnavailable) until recover() succeeds; recovery cuts off whatever the failed write left beyond the
  // visible records, makes the visible records durable again, and, when positions were handed to the failed
  // write, rolls to a new segment past them, so a position that may be on disk is never used twice.
  //
  // REQUIRES: records[i].position == end_position() + i (or, after a recovery, the new end_position()),
  // arrival times non-decreasing. The records are visible to readers only once written (and synced when
  // `sync`). A failure fences the log and tries recover() at once: the caller is answered after that attempt,
  // so what it is told failed is gone from the file unless the disk refused even that (then fenced() stays
  // true).
  Status append(const std::vector<RecordView>& records, bool sync);
  // fdatasync of the open segment (the `interval` policy's timer). A failure fences the log and tries
  // recover().
  Status sync();
  // Ok when not fenced, or when this attempt lifted the fence; end_position() is then where appends continue.
  Status recover();
  bool fenced() const { return fenced_.load(std::memory_order_acquire); }
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
  Status roll(const std::shared_ptr<LogSegment>& seg, uint64_t base);  // REQUIRES: write_mu_
  Status fence(Status cause, uint64_t burned_end);                     // REQUIRES: write_mu_
  Status recover_locked();                                             // REQUIRES: write_mu_

  std::string dir_;
  Options options_;
  std::mutex write_mu_;  // append, sync, recover, drop_expired
  std::atomic<bool> fenced_{false};
  uint64_t burned_end_ = 0;  // guarded by write_mu_: one past the last position handed to a failed write
  mutable std::mutex list_mu_;
  std::vector<std::shared_ptr<LogSegment>> segments_;  // ordered by base; never empty; last is open
};

}  // namespace kinesisd::storage
