// The running shards of every stream: opens shard logs, finds a shard actor for a request, sweeps retention and
// deleted streams. Logs are opened (which reads and may repair files) at start and when a stream is created,
// always off the I/O threads; the request path only looks actors up.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "kinesisd/engine/shard.hpp"
#include "kinesisd/engine/stream_meta.hpp"
#include "kinesisd/engine/stream_registry.hpp"

namespace kinesisd::engine {

struct DataPlaneOptions {
  std::string data_dir;
  ShardOptions shard;
  uint64_t segment_bytes = 64ull * 1024 * 1024;
};

class DataPlane {
 public:
  DataPlane(boost::asio::io_context& io, boost::asio::any_io_executor storage, DataPlaneOptions options)
      : io_(io), storage_(std::move(storage)), options_(std::move(options)) {}

  // Opens the logs of every shard of `meta` that is not open yet. Blocking (disk): never on an I/O thread.
  Status open_stream(const StreamMeta& meta);
  // At start, before open_stream: deletes the directories of shards the catalog does not list. They are left by a
  // reshard whose catalog write a crash prevented (its children's records were never acknowledged); a later
  // reshard that makes the same shard ids must start them empty, not adopt the old records. Blocking.
  void remove_unlisted_shards(const StreamMeta& meta);
  // The actor of a shard, or nullptr when its stream was not opened.
  std::shared_ptr<Shard> shard(const StreamMeta& meta, uint64_t shard_index) const;
  // Blocking. Drops retention-expired segments, and the files of streams that are gone (or unknown at start).
  void sweep(const StreamRegistry& registry, int64_t now_ms);
  // Drops a shard's actor and deletes its files (a closed shard past the stream's retention). Blocking.
  void remove_shard(const StreamMeta& meta, uint64_t shard_index);
  // Blocking. fdatasync of every shard written since its last sync.
  void sync_dirty();

  std::string stream_dir(const StreamMeta& meta) const;
  // Opens the records shards stored encrypted; nullptr when none was configured.
  const RecordCipher* cipher() const { return options_.shard.cipher.get(); }

 private:
  struct StreamRuntime {
    std::string region;
    std::string name;
    std::string dir;
    std::map<uint64_t, std::shared_ptr<Shard>> shards;  // guarded by DataPlane::mu_
  };
  std::vector<std::shared_ptr<StreamRuntime>> runtimes() const;
  // A copy of a runtime's shards taken under mu_: the storage pool iterates it while reshards insert.
  std::map<uint64_t, std::shared_ptr<Shard>> shards_of(const StreamRuntime& rt) const;

  boost::asio::io_context& io_;
  boost::asio::any_io_executor storage_;
  DataPlaneOptions options_;
  std::mutex open_mu_;  // serialises open_stream
  mutable std::shared_mutex mu_;  // guards streams_ and every StreamRuntime::shards
  std::map<std::string, std::shared_ptr<StreamRuntime>> streams_;  // by stream id; guarded by mu_
};

}  // namespace kinesisd::engine
