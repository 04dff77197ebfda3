// One segment file of a shard log and its sparse index (docs/log-format.md).
// Readers use only the const methods, which are safe while the single writer appends.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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
};

class LogSegment {
 public:
  static constexpr uint64_t kIndexIntervalBytes = 32 * 1024;

  // Creates an empty segment file for records from `base`.
  static Result<std::shared_ptr<LogSegment>> create(const std::string& dir, uint64_t base);
  // Opens an existing segment. A tail segment is scanned and truncated at the first invalid frame; a sealed one
  // is taken from its .idx when that matches, else scanned (and left as is). `report` gets a line per problem.
  static Result<std::shared_ptr<LogSegment>> open(const std::string& dir, uint64_t base, bool tail,
                                                  std::vector<std::string>& report);
  ~LogSegment();
  LogSegment(const LogSegment&) = delete;
  LogSegment& operator=(const LogSegment&) = delete;

  static std::string file_name(uint64_t base, const char* ext);

  uint64_t base() const { return base_; }
  uint64_t end_position() const { return end_.load(std::memory_order_acquire); }
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  int64_t first_arrival_ms() const { return first_arrival_.load(std::memory_order_acquire); }
  int64_t last_arrival_ms() const { return last_arrival_.load(std::memory_order_acquire); }
  bool empty() const { return end_position() == base_; }
  // A sealed segment whose scan stopped at an invalid frame before the end of the file: records from
  // end_position() on are unreadable, and reads that need them must fail rather than skip them.
  bool damaged() const { return damaged_; }
  int fd() const { return fd_; }

  // The index entry at or before `position` (offset 0 when none).
  IndexEntry seek_position(uint64_t position) const;
  // The last index entry whose arrival time is before `arrival_ms` (offset 0 when none).
  IndexEntry seek_arrival(int64_t arrival_ms) const;

  // Writer side. REQUIRES: one writer at a time; `frames` hold records base..: consecutive from end_position().
  // On failure the file is cut back to its previous size, so no partial frame stays.
  Status append(const std::string& frames, const std::vector<IndexEntry>& frame_starts, uint64_t new_end,
                int64_t last_arrival_ms);
  Status sync();
  // Fsyncs and writes the .idx file; the segment takes no more appends afterwards.
  Status seal();
  // Unlinks the files; readers holding the segment keep reading the open descriptor.
  void remove_files();

 private:
  LogSegment(std::string dir, uint64_t base, int fd);
  static ScanResult scan(int fd, uint64_t base);
  bool load_index(uint64_t file_bytes);
  bool index_matches_log(const std::vector<IndexEntry>& entries, const IndexEntry& trailer) const;

  std::string dir_;
  uint64_t base_;
  int fd_;
  std::atomic<uint64_t> end_;
  std::atomic<uint64_t> size_{0};
  std::atomic<int64_t> first_arrival_{0};
  std::atomic<int64_t> last_arrival_{0};
  uint64_t last_indexed_offset_ = 0;
  bool damaged_ = false;
  mutable std::mutex index_mu_;
  std::vector<IndexEntry> index_;
};

}  // namespace kinesisd::storage
