// The stream catalog in memory: every stream of the account, per region, with AWS's control-plane rules
// (name uniqueness, shard limits, status transitions). Thread-safe; not on the data-plane hot path.
//
// Status transitions are derived from timestamps (ready_at, delete_at), not driven by timers, so they
// survive a restart unchanged and cost nothing while nobody looks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kinesisd/engine/channel_meta.hpp"
#include "kinesisd/engine/stream_meta.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

struct RegistryLimits {
  std::string account = "000000000000";
  uint64_t shard_limit = 500;                // open PROVISIONED shards per account and region
  uint64_t on_demand_stream_limit = 50;      // ON_DEMAND streams per account and region
  uint64_t max_creating_streams = 5;         // streams in CREATING at once
  int64_t create_delay_ms = 500;
  int64_t delete_delay_ms = 500;
  int64_t update_delay_ms = 500;
  uint64_t channel_limit = 100;  // channels per account and region (DescribeLimits ChannelCountLimit)
};

struct CreateStreamRequest {
  std::string name;
  std::optional<int64_t> shard_count;
  StreamMode mode = StreamMode::kProvisioned;
  std::map<std::string, std::string> tags;
  std::optional<int64_t> max_record_size_kib;
  std::optional<int64_t> warm_throughput_mibps;
  std::string record_distribution = "USER_PARTITION_KEY";
};

class StreamRegistry {
 public:
  explicit StreamRegistry(RegistryLimits limits) : limits_(std::move(limits)) {}

  const RegistryLimits& limits() const { return limits_; }

  Status create_stream(const std::string& region, const CreateStreamRequest& request, int64_t now_ms);
  // Marks the stream DELETING; it is gone delete_delay_ms later.
  Status delete_stream(const std::string& region, const std::string& name, int64_t now_ms);
  // Changes a live stream: `change` gets a copy to modify and may refuse with an error; the copy then replaces
  // the stream (readers holding the old snapshot keep it) and the catalog version grows. ResourceNotFound when
  // the stream is absent or gone. `change` runs under the registry lock: it must not call back into the registry.
  Status update_stream(const std::string& region, const std::string& name, int64_t now_ms,
                       const std::function<Status(StreamMeta&)>& change);
  // The account's settings in a region, and changes to them (persisted with the catalog).
  AccountSettings account_settings(const std::string& region) const;
  Status update_account_settings(const std::string& region, const std::function<Status(AccountSettings&)>& change);

  // A copy of the stream's metadata; ResourceNotFound when absent or gone.
  Result<StreamMeta> find(const std::string& region, const std::string& name, int64_t now_ms) const;
  // The same without copying: an immutable snapshot (changes replace it, they never modify it).
  Result<std::shared_ptr<const StreamMeta>> find_ref(const std::string& region, const std::string& name,
                                                     int64_t now_ms) const;
  // Every stream of the region that is not gone, ordered by name.
  std::vector<StreamMeta> list(const std::string& region, int64_t now_ms) const;
  // Every stream of every region that is not gone.
  std::vector<StreamMeta> all(int64_t now_ms) const;
  uint64_t open_provisioned_shards(const std::string& region, int64_t now_ms) const;

  // Persistence: a JSON document of the whole catalog and the version it reflects. Versions grow with every
  // change, so a writer can skip snapshots older than the one on disk.
  std::string snapshot(uint64_t* version) const;
  // Lock-free (PutRecord(s) read it on every call): changed only under the registry's mutex.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Replaces the catalog with a snapshot; InvalidArgument with a reason when it cannot be read.
  Status load(const std::string& json);

  // The message AWS gives for a missing stream.
  std::string not_found_message(const std::string& name) const;

  // Channels (engine/channel_registry.cpp), per region, by channel id. `change` functions run under the
  // registry lock and must not call back into the registry.
  // Adds `channel` (name, sources by stream name, destination filled in; times, account and, unless given, the
  // id are set here):
  // ResourceInUse when a channel that is not gone has the name or a source stream is not ACTIVE or UPDATING,
  // ResourceNotFound when a source stream is missing, LimitExceeded over the region's or a stream's channels.
  Result<ChannelMeta> create_channel(const std::string& region, ChannelMeta channel, int64_t now_ms);
  // Changes a channel that is not gone (ResourceNotFound otherwise); the catalog version grows.
  Status update_channel(const std::string& region, const std::string& channel_id, int64_t now_ms,
                        const std::function<Status(ChannelMeta&)>& change);
  // Marks the channel DELETING; it is gone delete_delay_ms later. ResourceNotFound when absent or gone.
  Status delete_channel(const std::string& region, const std::string& channel_id, int64_t now_ms);
  Result<std::shared_ptr<const ChannelMeta>> find_channel(const std::string& region, const std::string& channel_id,
                                                          int64_t now_ms) const;
  // Channels of the region (or of every region) that are not gone, ordered by name.
  std::vector<std::shared_ptr<const ChannelMeta>> list_channels(const std::string& region, int64_t now_ms) const;
  std::vector<std::shared_ptr<const ChannelMeta>> all_channels(int64_t now_ms) const;
  // Channels that are not gone and read from the stream.
  size_t stream_channel_count(const std::string& region, const std::string& stream_name, int64_t now_ms) const;
  std::string channel_not_found_message(const std::string& channel_id) const;

 private:
  using RegionStreams = std::map<std::string, std::shared_ptr<const StreamMeta>>;
  const StreamMeta* live(const std::string& region, const std::string& name, int64_t now_ms) const;
  size_t channels_reading(const std::string& region, const std::string& stream_name, int64_t now_ms) const;

  RegistryLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, RegionStreams> regions_;
  std::map<std::string, AccountSettings> accounts_;  // by region
  std::map<std::string, std::map<std::string, std::shared_ptr<const ChannelMeta>>> channels_;  // region, id
  std::atomic<uint64_t> version_ = 0;
};

}  // namespace kinesisd::engine
