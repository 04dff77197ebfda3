#include "kinesisd/engine/resharding.hpp"

#include <algorithm>

namespace kinesisd::engine {
namespace {

constexpr size_t kScalingsPerDay = 10;

std::string under(const StreamMeta& s) { return " in stream " + s.name + " under account " + s.account; }

ShardMeta* find(StreamMeta& s, const std::string& shard_id) {
  for (auto& shard : s.shards)
    if (shard.shard_id == shard_id) return &shard;
  return nullptr;
}

Error not_found(const StreamMeta& s, const std::string& shard_id) {
  return make_error(ErrorCode::kResourceNotFound, "Could not find shard " + shard_id + under(s) + ".");
}

Error not_eligible(const StreamMeta& s, const std::string& shard_id) {
  return make_error(ErrorCode::kInvalidArgument, "Shard " + shard_id + under(s) +
                                                     " has already been merged or split, and thus is not eligible "
                                                     "for merging or splitting.");
}

Status check_shard_limit(const StreamMeta& s, uint64_t additional, const ReshardContext& ctx) {
  if (s.mode == StreamMode::kOnDemand) return Status::Ok();
  const uint64_t current = ctx.open_provisioned_shards_in_region;
  if (current + additional <= ctx.limits->shard_limit) return Status::Ok();
  return make_error(ErrorCode::kLimitExceeded,
                    "This request would exceed the shard limit for the account " + s.account + " in " + s.region +
                        ". Current shard count for the account: " + std::to_string(current) +
                        ". Limit: " + std::to_string(ctx.limits->shard_limit) +
                        ". Number of additional shards that would have resulted from this request: " +
                        std::to_string(additional) +
                        ". Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/"
                        "aws_service_limits.html) for current limits and how to request higher limits.");
}


// A new shard. Those made by UpdateShardCount are all dated after every open shard they replace (sequence numbers
// encode the creation second, and the final children's records must sort after their ancestors'); the
// intermediate ones hold no records, so one date serves all.
ShardMeta new_scaled_shard(StreamMeta& s, HashRange range, const std::string& parent, const std::string& adjacent,
                           int64_t created_ms, int64_t now_ms, bool intermediate) {
  ShardMeta shard;
  shard.index = s.next_shard_index++;
  shard.shard_id = shard_id_for_index(shard.index);
  shard.hash_range = range;
  shard.parent_shard_id = parent;
  shard.adjacent_parent_shard_id = adjacent;
  shard.created_ms = created_ms;
  if (intermediate) {  // created and closed at once, never written
    shard.closed_ms = std::max(created_ms, now_ms);
    shard.end_position = 0;
  }
  return shard;
}

// Reshapes the open shards of `s` into `targets` (contiguous ranges covering the key space) as AWS's
// UNIFORM_SCALING does, with splits and merges only, so that every shard keeps at most two parents (ParentShardId
// and AdjacentParentShardId) and a consumer that reads parents before children keeps per-key order:
//  1. an open shard whose range is exactly a target stays open;
//  2. every other open shard is split at each target boundary inside it (one child per piece);
//  3. the pieces of a target are merged left to right, each merge a new shard, the last one the target's shard.
// Pieces and partial merges that are not a target's final shard are closed at once and hold no records.
// A child of a split or merge. Children's sequence numbers must exceed their parents': they encode the creation
// second, so a child made in the same second as its parent is dated one second later.
ShardMeta new_child(StreamMeta& s, HashRange range, const std::string& parent, const std::string& adjacent,
                    int64_t now) {
  int64_t created = now;
  for (const auto& p : s.shards)
    if (p.shard_id == parent || p.shard_id == adjacent) created = std::max(created, (p.created_ms / 1000 + 1) * 1000);
  return new_scaled_shard(s, range, parent, adjacent, created, now, false);
}

void reshape(StreamMeta& s, const std::vector<HashRange>& targets, int64_t now_ms) {
  std::vector<size_t> open;  // indices into s.shards, by hash range
  int64_t created = now_ms;
  for (size_t i = 0; i < s.shards.size(); ++i) {
    if (!s.shards[i].is_open()) continue;
    open.push_back(i);
    created = std::max(created, (s.shards[i].created_ms / 1000 + 1) * 1000);
  }
  std::sort(open.begin(), open.end(),
            [&](size_t x, size_t y) { return s.shards[x].hash_range.start < s.shards[y].hash_range.start; });
  auto is_target = [&](const HashRange& r) {
    return std::any_of(targets.begin(), targets.end(),
                       [&](const HashRange& t) { return t.start == r.start && t.end == r.end; });
  };
  struct Piece {
    HashRange range;
    std::string shard_id;
  };
  std::vector<Piece> pieces;  // by hash range, each inside exactly one target
  std::vector<ShardMeta> made;
  for (size_t i : open) {
    const ShardMeta old = s.shards[i];
    if (is_target(old.hash_range)) continue;  // 1.
    s.shards[i].closed_ms = now_ms;
    std::vector<HashRange> cut;  // 2.
    uint128 start = old.hash_range.start;
    for (const auto& t : targets) {
      if (t.start > start && t.start <= old.hash_range.end) {
        cut.push_back({start, t.start - 1});
        start = t.start;
      }
    }
    cut.push_back({start, old.hash_range.end});
    if (cut.size() == 1) {
      pieces.push_back({old.hash_range, old.shard_id});
      continue;
    }
    for (const auto& range : cut) {
      ShardMeta child = new_scaled_shard(s, range, old.shard_id, "", created, now_ms, !is_target(range));
      pieces.push_back({range, child.shard_id});
      made.push_back(std::move(child));
    }
  }
  for (const auto& t : targets) {  // 3.
    std::vector<const Piece*> inside;
    for (const auto& p : pieces)
      if (p.range.start >= t.start && p.range.end <= t.end) inside.push_back(&p);
    if (inside.size() < 2) continue;  // a split piece that is the target, or a shard kept open
    Piece acc = *inside[0];
    for (size_t k = 1; k < inside.size(); ++k) {
      const bool last = k + 1 == inside.size();
      ShardMeta merged = new_scaled_shard(s, {acc.range.start, inside[k]->range.end}, acc.shard_id,
                                          inside[k]->shard_id, created, now_ms, !last);
      acc = {merged.hash_range, merged.shard_id};
      made.push_back(std::move(merged));
    }
  }
  for (auto& shard : made) s.shards.push_back(std::move(shard));
}

void begin_update(StreamMeta& s, const ReshardContext& ctx) {
  s.updating_until_ms = ctx.now_ms + ctx.limits->update_delay_ms;
}

}  // namespace

Status require_active(const StreamMeta& s, int64_t now_ms) {
  const auto st = s.status(now_ms);
  if (st == StreamStatus::kActive) return Status::Ok();
  return make_error(ErrorCode::kResourceInUse,
                    "Stream " + s.name + " under account " + s.account + " not ACTIVE, instead in state " +
                        to_string(st));
}

Result<StreamMeta> plan_split(const StreamMeta& stream, const std::string& shard_id,
                              const std::string& new_starting_hash_key, const ReshardContext& ctx) {
  StreamMeta s = stream;
  ShardMeta* parent = find(s, shard_id);
  if (parent == nullptr) return not_found(s, shard_id);
  if (auto st = require_active(s, ctx.now_ms); !st) return st.error();
  if (!parent->is_open()) return not_eligible(s, shard_id);
  if (auto st = check_shard_limit(s, 1, ctx); !st) return st.error();
  const auto key = parse_decimal_u128(new_starting_hash_key);
  const HashRange range = parent->hash_range;
  // AWS wants the key strictly above StartingHashKey + 1 and strictly below EndingHashKey.
  if (!key || *key <= range.start + 1 || *key >= range.end) {
    return make_error(ErrorCode::kInvalidArgument,
                      "NewStartingHashKey " + new_starting_hash_key + " used in SplitShard() on shard " + shard_id +
                          under(s) + " is not both greater than one plus the shard's StartingHashKey " +
                          to_decimal(range.start) + " and less than the shard's EndingHashKey " +
                          to_decimal(range.end) + ".");
  }
  parent->closed_ms = ctx.now_ms;
  const std::string parent_id = parent->shard_id;  // `parent` dangles once children are appended
  ShardMeta low = new_child(s, {range.start, *key - 1}, parent_id, "", ctx.now_ms);
  ShardMeta high = new_child(s, {*key, range.end}, parent_id, "", ctx.now_ms);
  s.shards.push_back(std::move(low));
  s.shards.push_back(std::move(high));
  begin_update(s, ctx);
  return s;
}

Result<StreamMeta> plan_merge(const StreamMeta& stream, const std::string& shard_id, const std::string& adjacent_id,
                              const ReshardContext& ctx) {
  StreamMeta s = stream;
  ShardMeta* a = find(s, shard_id);
  if (a == nullptr) return not_found(s, shard_id);
  ShardMeta* b = find(s, adjacent_id);
  if (b == nullptr) return not_found(s, adjacent_id);
  if (auto st = require_active(s, ctx.now_ms); !st) return st.error();
  if (!a->is_open()) return not_eligible(s, shard_id);
  if (!b->is_open()) return not_eligible(s, adjacent_id);
  const bool adjacent = (a->hash_range.end != kUint128Max && a->hash_range.end + 1 == b->hash_range.start) ||
                        (b->hash_range.end != kUint128Max && b->hash_range.end + 1 == a->hash_range.start);
  if (!adjacent || a == b) {
    return make_error(ErrorCode::kInvalidArgument, "Shards " + shard_id + " and " + adjacent_id + under(s) +
                                                       " are not an adjacent pair of shards eligible for merging");
  }
  const HashRange merged{std::min(a->hash_range.start, b->hash_range.start),
                         std::max(a->hash_range.end, b->hash_range.end)};
  a->closed_ms = ctx.now_ms;
  b->closed_ms = ctx.now_ms;
  ShardMeta child = new_child(s, merged, shard_id, adjacent_id, ctx.now_ms);
  s.shards.push_back(std::move(child));
  begin_update(s, ctx);
  return s;
}

Result<StreamMeta> plan_uniform_scaling(const StreamMeta& stream, int64_t target, const ReshardContext& ctx) {
  StreamMeta s = stream;
  if (auto st = require_active(s, ctx.now_ms); !st) return st.error();
  const int64_t open = static_cast<int64_t>(s.open_shard_count());
  const std::string counts =
      "Current open shard count: " + std::to_string(open) + ", Target shard count: " + std::to_string(target);
  const int64_t region_after = static_cast<int64_t>(ctx.open_provisioned_shards_in_region) - open + target;
  if (s.mode == StreamMode::kProvisioned && region_after > static_cast<int64_t>(ctx.limits->shard_limit)) {
    return make_error(ErrorCode::kLimitExceeded, "Target shard count or number of open shards cannot be greater than " +
                                                     std::to_string(ctx.limits->shard_limit) + ". " + counts);
  }
  if (target > open * 2) {
    return make_error(ErrorCode::kLimitExceeded,
                      "UpdateShardCount cannot scale up over double your current open shard count. " + counts);
  }
  if (target * 2 < open) {
    return make_error(ErrorCode::kLimitExceeded,
                      "UpdateShardCount cannot scale down below half your current open shard count. " + counts);
  }
  if (!s.take_daily_quota("UpdateShardCount", kScalingsPerDay, ctx.now_ms)) {
    return make_error(ErrorCode::kLimitExceeded,
                      "UpdateShardCount can be called at most " + std::to_string(kScalingsPerDay) +
                          " times in a rolling 24-hour period for stream " + s.name + " under account " + s.account +
                          ".");
  }
  if (target == open) {
    begin_update(s, ctx);
    return s;  // nothing to reshard; AWS still passes through UPDATING
  }
  reshape(s, split_evenly(static_cast<uint64_t>(target)), ctx.now_ms);
  begin_update(s, ctx);
  return s;
}

}  // namespace kinesisd::engine
