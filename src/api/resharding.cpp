// SplitShard, MergeShards, UpdateShardCount: plan the new topology, open the children's logs, install the plan
// atomically (one catalog write: a crash leaves the before or the after state), then close the parents' actors
// and record where each parent ends.
#include <spdlog/spdlog.h>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/shard_calls.hpp"
#include "kinesisd/engine/resharding.hpp"
#include "kinesisd/util/async.hpp"

namespace kinesisd::api {
namespace {

engine::ReshardContext reshard_context(Services& services, const CallContext& ctx) {
  return {&services.registry->limits(), services.registry->open_provisioned_shards(ctx.region, ctx.now_ms),
          ctx.now_ms};
}

// Installs `plan` if the stream is still the one it was made from, then drains and closes the parents.
boost::asio::awaitable<Status> install(Services& services, const CallContext& ctx, const engine::StreamMeta& before,
                                       engine::StreamMeta plan) {
  auto& data = *services.data;
  if (auto s = co_await run_on<Status>(services.storage, [&data, &plan] { return data.open_stream(plan); }); !s) {
    co_return s;
  }
  Status installed = services.registry->update_stream(
      ctx.region, before.name, ctx.now_ms, [&](engine::StreamMeta& current) -> Status {
        if (current.stream_id != before.stream_id || current.next_shard_index != before.next_shard_index) {
          return make_error(ErrorCode::kResourceInUse, "Stream " + before.name + " under account " + before.account +
                                                           " not ACTIVE, instead in state UPDATING");
        }
        if (auto s = engine::require_active(current, ctx.now_ms); !s) return s;
        current = plan;
        return Status::Ok();
      });
  if (!installed) co_return installed;
  if (auto s = co_await services.catalog->persist(); !s) co_return s;

  // Parents: closed in the catalog from now on; their actors finish what they accepted and report the end.
  std::vector<std::pair<uint64_t, uint64_t>> ends;  // shard index -> end position
  for (const auto& shard : plan.shards) {
    if (shard.is_open() || shard.end_position) continue;
    auto actor = data.shard(plan, shard.index);
    if (!actor) continue;
    ends.emplace_back(shard.index, co_await close_shard(*actor));
  }
  if (ends.empty()) co_return Status::Ok();
  Status recorded = services.registry->update_stream(ctx.region, plan.name, ctx.now_ms, [&](engine::StreamMeta& m) {
    if (m.stream_id != plan.stream_id) return Status::Ok();
    for (auto& shard : m.shards)
      for (const auto& [index, end] : ends)
        if (shard.index == index && !shard.end_position) shard.end_position = end;
    return Status::Ok();
  });
  if (!recorded) spdlog::warn("event=reshard_end_not_recorded stream={} error=\"{}\"", plan.name, recorded.error().message);
  Status persisted = co_await services.catalog->persist();
  // Subscriptions waiting at a parent's end can now see where it ends, and send ChildShards.
  for (const auto& [index, end] : ends)
    if (auto actor = data.shard(plan, index)) actor->notify_readers();
  co_return persisted;
}

}  // namespace

KINESISD_HANDLER(split_shard) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  auto plan = engine::plan_split(s, *get_string(in, "ShardToSplit"), *get_string(in, "NewStartingHashKey"),
                                 reshard_context(services, ctx));
  if (!plan) co_return plan.error();
  if (auto st = co_await install(services, ctx, s, std::move(plan.value())); !st) co_return st.error();
  co_return empty_output();
}

KINESISD_HANDLER(merge_shards) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  auto plan = engine::plan_merge(s, *get_string(in, "ShardToMerge"), *get_string(in, "AdjacentShardToMerge"),
                                 reshard_context(services, ctx));
  if (!plan) co_return plan.error();
  if (auto st = co_await install(services, ctx, s, std::move(plan.value())); !st) co_return st.error();
  co_return empty_output();
}

KINESISD_HANDLER(update_shard_count) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  const int64_t current = static_cast<int64_t>(s.open_shard_count());
  const int64_t target = *get_int(in, "TargetShardCount");
  auto plan = engine::plan_uniform_scaling(s, target, reshard_context(services, ctx));
  if (!plan) co_return plan.error();
  if (auto st = co_await install(services, ctx, s, std::move(plan.value())); !st) co_return st.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder(out, out.GetAllocator())
      .str("StreamName", s.name)
      .num("CurrentShardCount", current)
      .num("TargetShardCount", target)
      .str("StreamARN", s.arn());
  co_return out;
}

}  // namespace kinesisd::api
