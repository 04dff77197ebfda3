// Resharding plans: given a stream's metadata, the metadata after a SplitShard, MergeShards or UpdateShardCount,
// or AWS's refusal. Pure functions: the caller opens the new shards' logs, then installs the plan atomically
// (StreamRegistry::update_stream) and closes the parents' actors.
//
// A plan closes its parents at `now` (closed_ms) without an end position; the parents' actors report it once
// their last accepted writes are on disk. Children get the next shard indices, creation time `now`, and
// ParentShardId / AdjacentParentShardId.
#pragma once

#include <string>

#include "kinesisd/engine/stream_meta.hpp"
#include "kinesisd/engine/stream_registry.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

struct ReshardContext {
  const RegistryLimits* limits = nullptr;
  uint64_t open_provisioned_shards_in_region = 0;  // for the account shard limit
  int64_t now_ms = 0;
};

Result<StreamMeta> plan_split(const StreamMeta& stream, const std::string& shard_id,
                              const std::string& new_starting_hash_key, const ReshardContext& ctx);
Result<StreamMeta> plan_merge(const StreamMeta& stream, const std::string& shard_id, const std::string& adjacent_id,
                              const ReshardContext& ctx);
// UNIFORM_SCALING to `target` open shards, evenly split, by splits and merges as AWS does it: every new shard has
// at most two parents, and where one target range overlaps more than two old shards the plan goes through
// intermediate shards (created and closed at once, holding no records).
Result<StreamMeta> plan_uniform_scaling(const StreamMeta& stream, int64_t target, const ReshardContext& ctx);

// "Stream s under account a not ACTIVE, instead in state UPDATING" unless the stream is ACTIVE.
Status require_active(const StreamMeta& stream, int64_t now_ms);

}  // namespace kinesisd::engine
