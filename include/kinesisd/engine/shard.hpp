// A shard actor. Its mutable state (next position, last arrival time, token buckets, the queue of appends) is
// touched only on its strand. Appends are group-committed: while one write is on the storage pool, new appends
// queue up and go to disk together in the next write, so there is never more than one write in flight per shard
// and concurrent requests share write(2) and fdatasync calls.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kinesisd/engine/record_cipher.hpp"
#include "kinesisd/engine/token_bucket.hpp"
#include "kinesisd/storage/shard_log.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

enum class FsyncPolicy { kAlways, kInterval, kNever };

struct ShardOptions {
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  bool throughput_limits = true;
  // Seals the records of appends that ask for encryption; such appends fail (Internal) without one.
  std::shared_ptr<const RecordCipher> cipher;
};

// AWS's per-shard limits.
inline constexpr double kWriteBytesPerSecond = 1024.0 * 1024.0;
inline constexpr double kWriteRecordsPerSecond = 1000.0;
inline constexpr double kReadCallsPerSecond = 5.0;
inline constexpr double kReadBytesPerSecond = 2.0 * 1024.0 * 1024.0;

struct AppendRequest {
  std::string partition_key;
  std::string data;
};

struct AppendResult {
  Status status;  // ok, ProvisionedThroughputExceeded, ResourceInUse (closed), Io (this write failed) or
                  // Unavailable (the shard is fenced after a disk error)
  uint64_t position = 0;
  int64_t arrival_ms = 0;
};

class Shard : public std::enable_shared_from_this<Shard> {
 public:
  using AppendDone = std::function<void(std::vector<AppendResult>)>;

  // `throttle_message` is the ProvisionedThroughputExceeded text naming this shard.
  Shard(boost::asio::io_context& io, boost::asio::any_io_executor storage, std::unique_ptr<storage::ShardLog> log,
        ShardOptions options, std::string throttle_message);

  // Throttles each record, appends those admitted, and calls `done` (on the strand) with one result per record,
  // in order, once they are written as the fsync policy requires. A non-empty `encryption_key_id` stores the
  // records encrypted under that key id (sealed on the storage pool; throttling counts the plaintext).
  void append(std::shared_ptr<const std::vector<AppendRequest>> records, AppendDone done,
              std::string encryption_key_id = {});
  // Admits a GetRecords call (5 a second, and none while the 2 MiB/s byte budget is in debt); `done` runs on
  // the strand.
  void admit_read(std::function<void(Status)> done);
  // Charges a finished read's bytes against the read budget.
  void charge_read(size_t bytes);
  // Closes the shard to writes (a split or merge made it a parent). Appends already accepted are still written;
  // later ones fail with ResourceInUse so the caller can route them to the children. `done` gets the end
  // position: one past the last record the shard will ever hold.
  void close(std::function<void(uint64_t end_position)> done);
  // Calls `wake` once, on the strand: at once when the log already holds a record at `position`, otherwise after
  // the next write lands, the shard closes, or notify_readers(). Readers re-check and ask again; this is how
  // subscriptions are pushed records as they are appended rather than polling.
  void when_readable(uint64_t position, std::function<void()> wake);
  // Wakes every when_readable waiter (the catalog now records where this closed shard ends).
  void notify_readers();
  // For a shard already closed at start (no writes in flight).
  void mark_closed() { closed_ = true; }
  // Storage-pool side: fdatasync when there were writes since the last sync (the `interval` policy's timer).
  void sync_if_dirty();

  const storage::ShardLog& log() const { return *log_; }
  storage::ShardLog& log() { return *log_; }
  boost::asio::any_io_executor strand() const { return strand_; }

 private:
  struct Batch;
  void flush();          // on the strand
  void wake_readers();   // on the strand
  // After a failed write or sync (on the strand): appends fail fast with kUnavailable until the log's
  // recovery, retried with backoff on the storage pool, succeeds.
  void enter_fence();
  void schedule_recovery();

  boost::asio::any_io_executor strand_;
  boost::asio::any_io_executor storage_;
  std::unique_ptr<storage::ShardLog> log_;
  ShardOptions options_;
  std::string throttle_message_;
  // Strand state.
  uint64_t next_position_ = 0;
  int64_t last_arrival_ms_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool fenced_ = false;
  std::chrono::milliseconds retry_delay_{0};
  std::unique_ptr<boost::asio::steady_timer> retry_timer_;
  std::vector<std::shared_ptr<Batch>> pending_;
  static constexpr size_t kMaxReaders = 1024;
  std::vector<std::function<void()>> readers_;  // when_readable waiters
  TokenBucket write_bytes_{kWriteBytesPerSecond, kWriteBytesPerSecond};
  TokenBucket write_records_{kWriteRecordsPerSecond, kWriteRecordsPerSecond};
  TokenBucket read_calls_{kReadCallsPerSecond, kReadCallsPerSecond};
  TokenBucket read_bytes_{kReadBytesPerSecond, kReadBytesPerSecond};
  std::atomic<bool> dirty_{false};
};

}  // namespace kinesisd::engine
