// One segment file of a shard log and its sparse index (docs/log-format.md).
// Readers use only the const methods, which are safe while the single writer appends.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kinesisd/storage/env.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::storage {

struct IndexEntry {
  uint64_t position = 0;
  uint64_t offset = 0;
  int64_t arrival_ms = 0;
};

// What recovery found in a segment.
struct ScanResult {
  uint64_t end_position = 0;
  uint64_t valid_bytes = 0;
  uint64_t file_bytes = 0;
  int64_t first_arrival_ms = 0;
  int64_t last_arrival_ms = 0;
  std::vector<IndexEntry> index;
  std::string stop_reason;  // empty when the scan reached the end of the file cleanly
  Status io = Status::Ok();  // a read failed: the scan says nothing about the bytes after it
};

class LogSegment {
 public:
  static constexpr uint64_t kIndexIntervalBytes = 32 * 1024;

  // Creates an empty segment file for records from `base`, its name made durable in `dir`.
  static Result<std::shared_ptr<LogSegment>> create(Env* env, const std::string& dir, uint64_t base);
  // Opens an existing segment. A tail segment is scanned and truncated at the first invalid frame; a sealed one
  // is taken from its .idx when that matches, else scanned (and left as is). `report` gets a line per problem.
  static Result<std::shared_ptr<LogSegment>> open(Env* env, const std::string& dir, uint64_t base, bool tail,
                                                  std::vector<std::string>& report);
  LogSegment(const LogSegment&) = delete;
  LogSegment& operator=(const LogSegment&) = delete;

  static std::string file_name(uint64_t base, const char* ext);

  uint64_t base() const { return base_; }
  uint64_t end_position() const { return end_.load(std::memory_order_acquire); }
  // The bytes readers may read: whole frames of records base()..end_position(), never more.
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  int64_t first_arrival_ms() const { return first_arrival_.load(std::memory_order_acquire); }
  int64_t last_arrival_ms() const { return last_arrival_.load(std::memory_order_acquire); }
  bool empty() const { return end_position() == base_; }
  // A sealed segment whose scan stopped at an invalid frame before the end of the file: records from
  // end_position() on are unreadable, and reads that need them must fail rather than skip them.
  bool damaged() const { return damaged_; }
  const File& file() const { return *file_; }

  // The index entry at or before `position` (offset 0 when none).
  IndexEntry seek_position(uint64_t position) const;
  // The last index entry whose arrival time is before `arrival_ms` (offset 0 when none).
  IndexEntry seek_arrival(int64_t arrival_ms) const;

  // --- writer side: one writer at a time ---
  // Writes `frames` (records end_position().. consecutive) after size(), fdatasyncs them when `sync` is set,
  // and only then makes them visible to readers. On failure nothing becomes visible, and bytes of the frames
  // may remain in the file beyond size(): repair() cuts them off.
  Status append(const std::string& frames, const std::vector<IndexEntry>& frame_starts, uint64_t new_end,
                int64_t last_arrival_ms, bool sync);
  Status sync();
  // After a failed write or sync: cuts the file back to size() (durably), then writes the bytes that were
  // visible but not known to be durable again, from the page cache, and syncs them. A failed fdatasync may
  // have marked those pages clean without writing them (Linux does), so a later successful sync alone proves
  // nothing.
  Status repair();
  // Fsyncs and writes the .idx file (a cache: a failure to write it is logged by the caller, not fatal to the
  // data); the segment takes no more appends afterwards.
  Status seal();
  // Unlinks the files; readers holding the segment keep reading the open file.
  void remove_files();

 private:
  LogSegment(Env* env, std::string dir, uint64_t base, std::unique_ptr<File> file);
  static ScanResult scan(const File& file, uint64_t base);
  bool load_index(uint64_t file_bytes);
  bool index_matches_log(const std::vector<IndexEntry>& entries, const IndexEntry& trailer) const;
  void publish(const std::vector<IndexEntry>& frame_starts, uint64_t start, uint64_t bytes, uint64_t new_end,
               int64_t last_arrival_ms);

  Env* env_;
  std::string dir_;
  uint64_t base_;
  std::unique_ptr<File> file_;
  std::atomic<uint64_t> end_;
  std::atomic<uint64_t> size_{0};
  std::atomic<int64_t> first_arrival_{0};
  std::atomic<int64_t> last_arrival_{0};
  uint64_t synced_size_ = 0;  // writer side: the size at the last successful sync
  uint64_t last_indexed_offset_ = 0;
  bool damaged_ = false;
  mutable std::mutex index_mu_;
  std::vector<IndexEntry> index_;
};

}  // namespace kinesisd::storage
