// Resharding plans: UpdateShardCount's reshaping keeps a topology a parents-first reader can follow.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "kinesisd/engine/resharding.hpp"

namespace kinesisd::engine {
namespace {

constexpr int64_t kCreated = 1'700'000'000'000;
constexpr int64_t kNow = kCreated + 500;  // same second as the old shards: new ones must still sort after

StreamMeta uniform_stream(uint64_t shards) {
  StreamMeta s;
  s.name = "s";
  s.account = "000000000000";
  s.region = "us-east-1";
  s.created_ms = kCreated - 10'000;
  s.ready_at_ms = s.created_ms;
  for (const auto& range : split_evenly(shards)) {
    ShardMeta shard;
    shard.index = s.next_shard_index++;
    shard.shard_id = shard_id_for_index(shard.index);
    shard.hash_range = range;
    shard.created_ms = kCreated;
    s.shards.push_back(shard);
  }
  return s;
}

const ShardMeta* by_id(const StreamMeta& s, const std::string& id) {
  for (const auto& shard : s.shards)
    if (shard.shard_id == id) return &shard;
  return nullptr;
}

bool descends_from(const StreamMeta& s, const ShardMeta& shard, const std::string& ancestor) {
  for (const std::string* p : {&shard.parent_shard_id, &shard.adjacent_parent_shard_id}) {
    if (p->empty()) continue;
    if (*p == ancestor) return true;
    if (const auto* parent = by_id(s, *p); parent && descends_from(s, *parent, ancestor)) return true;
  }
  return false;
}

// Checks everything a parents-first reader relies on.
void check_plan(const StreamMeta& before, const StreamMeta& after, uint64_t target) {
  std::set<std::string> old_open;
  for (const auto& shard : before.shards)
    if (shard.is_open()) old_open.insert(shard.shard_id);
  // 1. The open shards are exactly the even split.
  std::vector<HashRange> open;
  for (const auto& shard : after.shards)
    if (shard.is_open()) open.push_back(shard.hash_range);
  std::sort(open.begin(), open.end(), [](const HashRange& a, const HashRange& b) { return a.start < b.start; });
  ASSERT_EQ(open, split_evenly(target));
  std::map<std::string, std::vector<const ShardMeta*>> children;
  for (const auto& shard : after.shards) {
    if (by_id(before, shard.shard_id) != nullptr) continue;  // not new
    // 2. At most two parents: one that contains the child (split), or two adjacent ones that make it up (merge).
    const ShardMeta* p = by_id(after, shard.parent_shard_id);
    ASSERT_NE(p, nullptr) << shard.shard_id;
    if (shard.adjacent_parent_shard_id.empty()) {
      EXPECT_TRUE(p->hash_range.start <= shard.hash_range.start && shard.hash_range.end <= p->hash_range.end);
    } else {
      const ShardMeta* q = by_id(after, shard.adjacent_parent_shard_id);
      ASSERT_NE(q, nullptr);
      EXPECT_EQ(p->hash_range.end + 1, q->hash_range.start) << shard.shard_id;
      EXPECT_EQ(shard.hash_range.start, p->hash_range.start);
      EXPECT_EQ(shard.hash_range.end, q->hash_range.end);
      children[q->shard_id].push_back(&shard);
    }
    children[p->shard_id].push_back(&shard);
    // 3. New shards are dated after the old ones' second; the ones that are not open never held a record.
    EXPECT_GE(shard.created_ms / 1000, kCreated / 1000 + 1);
    if (!shard.is_open()) {
      EXPECT_EQ(shard.end_position, std::optional<uint64_t>(0)) << shard.shard_id;
    }
  }
  // 4. Every shard that was closed has children covering its whole range.
  for (const auto& shard : after.shards) {
    if (shard.is_open() || (by_id(before, shard.shard_id) && !old_open.count(shard.shard_id))) continue;
    const auto& kids = children[shard.shard_id];
    ASSERT_FALSE(kids.empty()) << shard.shard_id;
    uint128 covered_to = shard.hash_range.start;
    std::vector<HashRange> pieces;
    for (const auto* k : kids) pieces.push_back(k->hash_range);
    std::sort(pieces.begin(), pieces.end(), [](const HashRange& a, const HashRange& b) { return a.start < b.start; });
    for (const auto& r : pieces) {
      EXPECT_LE(r.start, covered_to);
      if (r.end >= shard.hash_range.end) {
        covered_to = shard.hash_range.end;
        break;
      }
      covered_to = r.end + 1;
    }
    EXPECT_EQ(covered_to, shard.hash_range.end) << shard.shard_id;
  }
  // 5. Every open shard descends from every old open shard whose keys it now takes (unless it is that shard).
  for (const auto& shard : after.shards) {
    if (!shard.is_open()) continue;
    for (const auto& id : old_open) {
      const ShardMeta* old = by_id(before, id);
      const bool overlaps = old->hash_range.start <= shard.hash_range.end && old->hash_range.end >= shard.hash_range.start;
      if (overlaps && id != shard.shard_id) {
        EXPECT_TRUE(descends_from(after, shard, id)) << shard.shard_id << " " << id;
      }
    }
  }
}

Result<StreamMeta> scale(const StreamMeta& s, int64_t target) {
  static const RegistryLimits limits{};
  return plan_uniform_scaling(s, target, ReshardContext{&limits, s.open_shard_count(), kNow});
}

TEST(UniformScaling, EvenToEven) {
  for (auto [from, to] : std::vector<std::pair<int, int>>{{1, 2}, {2, 4}, {4, 2}, {4, 3}, {3, 5}, {5, 3}, {6, 11}}) {
    const StreamMeta s = uniform_stream(from);
    auto plan = scale(s, to);
    ASSERT_TRUE(plan) << plan.error().message;
    SCOPED_TRACE(std::to_string(from) + " -> " + std::to_string(to));
    check_plan(s, *plan, to);
  }
}

TEST(UniformScaling, TargetOverlappingThreeOldShardsGoesThroughIntermediateShards) {
  // 4 even shards, shard 1 split in three: 6 open shards; scaling to 3 makes the first new shard take keys of
  // shardId-000000000000 and of the three pieces of shard 1's range.
  StreamMeta s = uniform_stream(4);
  static const RegistryLimits limits{};
  const HashRange q1 = s.shards[1].hash_range;
  const uint128 third = (q1.end - q1.start) / 3;
  auto split1 = plan_split(s, "shardId-000000000001", to_decimal(q1.start + third),
                           ReshardContext{&limits, 4, kNow});
  ASSERT_TRUE(split1);
  StreamMeta mid = *split1;
  mid.updating_until_ms = 0;
  auto split2 = plan_split(mid, "shardId-000000000005", to_decimal(q1.start + 2 * third),
                           ReshardContext{&limits, 5, kNow});
  ASSERT_TRUE(split2) << split2.error().message;
  StreamMeta uneven = *split2;
  uneven.updating_until_ms = 0;
  ASSERT_EQ(uneven.open_shard_count(), 6u);
  auto plan = scale(uneven, 3);
  ASSERT_TRUE(plan) << plan.error().message;
  check_plan(uneven, *plan, 3);
  size_t intermediate = 0;
  for (const auto& shard : plan->shards)
    if (!by_id(uneven, shard.shard_id) && !shard.is_open()) ++intermediate;
  EXPECT_GT(intermediate, 0u);
}

TEST(UniformScaling, RandomTopologies) {
  std::mt19937_64 rng(42);
  static const RegistryLimits limits{};
  for (int round = 0; round < 200; ++round) {
    StreamMeta s = uniform_stream(1 + rng() % 6);
    for (int splits = rng() % 6; splits > 0; --splits) {
      std::vector<const ShardMeta*> open;
      for (const auto& shard : s.shards)
        if (shard.is_open()) open.push_back(&shard);
      const ShardMeta& victim = *open[rng() % open.size()];
      const uint128 width = victim.hash_range.end - victim.hash_range.start;
      if (width < 8) continue;
      const uint128 key = victim.hash_range.start + 2 + (static_cast<uint128>(rng()) % (width - 3));
      auto split = plan_split(s, victim.shard_id, to_decimal(key), ReshardContext{&limits, s.open_shard_count(), kNow});
      ASSERT_TRUE(split) << split.error().message;
      s = *split;
      s.updating_until_ms = 0;
    }
    const int64_t open = static_cast<int64_t>(s.open_shard_count());
    const int64_t target = std::max<int64_t>(1, (open + 1) / 2 + static_cast<int64_t>(rng() % (open * 2 - (open + 1) / 2 + 1)));
    if (target == open) continue;  // no reshaping: the stream only passes through UPDATING
    auto plan = scale(s, target);
    ASSERT_TRUE(plan) << plan.error().message << " open " << open << " target " << target;
    SCOPED_TRACE("round " + std::to_string(round));
    check_plan(s, *plan, static_cast<uint64_t>(target));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace kinesisd::engine
