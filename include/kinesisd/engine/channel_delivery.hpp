// Channel delivery: the S3 stand-in. Every ACTIVE (or UPDATING) channel reads its stream's records from the
// shard logs (every shard; a child only once its parents are delivered to their end) and writes them as
// objects to <output dir>/<bucket>/<key>, one object per shard and delivery, once the oldest undelivered
// record is DataFreshnessInSeconds old or a shard has object_bytes waiting. Records that arrived before the
// channel became ACTIVE are not delivered (AWS: no backfill).
//
// Progress is checkpointed per channel in <state dir>/<region>/<channel id>.json, written atomically after
// the objects it covers, so a restart (or kill -9) resumes where delivery stopped: at-least-once. An object's
// key depends only on its first record (time variables from its arrival, the unique suffix from its shard and
// sequence number), so records delivered again after a crash overwrite the same object rather than appearing
// twice.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kinesisd/engine/channel_meta.hpp"
#include "kinesisd/engine/data_plane.hpp"
#include "kinesisd/engine/stream_registry.hpp"

namespace kinesisd::engine {

struct ChannelDeliveryOptions {
  std::string output_dir;  // --channel-output-dir
  std::string state_dir;   // checkpoints
  int64_t freshness_override_ms =
      0;  // --channel-freshness-ms: when > 0, used instead of DataFreshnessInSeconds
  size_t object_bytes = 8 * 1024 * 1024;  // a shard with this much waiting is delivered at once
};

class ChannelDelivery {
 public:
  ChannelDelivery(const StreamRegistry& registry, const DataPlane& data, ChannelDeliveryOptions options)
      : registry_(registry), data_(data), options_(std::move(options)) {}

  // One round: delivers what is due for every channel, and forgets (removes the checkpoints of) channels that
  // are gone. Blocking (reads logs, writes files): run it on the read pool, one round at a time.
  void run(int64_t now_ms);

 private:
  struct Cursor {
    uint64_t position = 0;  // next record to deliver
    uint64_t scanned = 0;   // records up to here are counted in pending_bytes
    size_t pending_bytes = 0;
  };
  struct State {
    bool loaded = false;
    std::map<std::string, Cursor> cursors;  // by "<stream id>/<shard index>"
  };

  // Delivers what is due for one channel; true when a cursor moved (the checkpoint must be written).
  bool run_channel(const ChannelMeta& c, State& state, int64_t now_ms);
  // Writes the records of [cursor.position, end) of one shard as objects; false when a write failed.
  bool deliver_shard(const ChannelMeta& c, const ChannelSource& source, const StreamMeta& s,
                     const ShardMeta& shard, const storage::ShardLog& log, uint64_t end, Cursor& cursor);
  Status write_object(const std::string& bucket_arn, const std::string& key,
                      const std::string& content) const;
  std::string checkpoint_path(const ChannelMeta& c) const;
  void load_checkpoint(const ChannelMeta& c, State& state) const;
  Status save_checkpoint(const ChannelMeta& c, const State& state) const;
  void forget_gone(const std::map<std::string, const ChannelMeta*>& live);

  const StreamRegistry& registry_;
  const DataPlane& data_;
  ChannelDeliveryOptions options_;
  std::map<std::string, State> states_;  // by channel id; touched only by run()
  bool swept_ = false;
};

}  // namespace kinesisd::engine
