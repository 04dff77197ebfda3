// Account-level operations: DescribeLimits, DescribeAccountSettings, UpdateAccountSettings; and the account
// checks the stream-settings handlers share (settings_support.hpp).
#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/settings_support.hpp"

namespace kinesisd::api {
namespace {

constexpr const char* kEnabled = "ENABLED";
constexpr const char* kDisabled = "DISABLED";
constexpr const char* kEnabledUntilEnd = "ENABLED_UNTIL_EARLIEST_ALLOWED_END";
// "Commitments have a minimum duration of 24 hours that must be honored before they can be disabled."
constexpr int64_t kCommitmentMinimumMs = 24 * 3'600'000LL;
// AWS's default limit: an on-demand stream scales to at most 10 GiBps.
constexpr int64_t kMaxWarmThroughputMiBps = 10'240;

struct RegionCounts {
  uint64_t open_provisioned_shards = 0;
  uint64_t on_demand_streams = 0;
};

RegionCounts count_region(const Services& services, const CallContext& ctx) {
  RegionCounts c;
  for (const auto& s : services.registry->list(ctx.region, ctx.now_ms)) {
    if (s.mode == engine::StreamMode::kOnDemand) {
      ++c.on_demand_streams;
    } else {
      c.open_provisioned_shards += s.open_shard_count();
    }
  }
  return c;
}

void write_commitment(const Commitment& c, OutBuilder& parent) {
  OutBuilder b(parent.object("MinimumThroughputBillingCommitment"), parent.alloc());
  b.str("Status", c.status);
  if (c.started_ms) b.timestamp_ms("StartedAt", *c.started_ms);
  if (c.ended_ms) b.timestamp_ms("EndedAt", *c.ended_ms);
  if (c.earliest_end_ms) b.timestamp_ms("EarliestAllowedEndAt", *c.earliest_end_ms);
}

// Stores a commitment as effective_commitment reads it back.
void store(const Commitment& c, engine::AccountSettings& a) {
  a.commitment_status = c.status;
  a.commitment_started_ms = c.started_ms.value_or(0);
  a.commitment_ended_ms = c.ended_ms.value_or(0);
  a.commitment_earliest_end_ms = c.earliest_end_ms.value_or(0);
}

}  // namespace

Commitment effective_commitment(const engine::AccountSettings& a, int64_t now_ms) {
  Commitment c;
  c.status = a.commitment_status.empty() ? kDisabled : a.commitment_status;
  if (a.commitment_started_ms != 0) c.started_ms = a.commitment_started_ms;
  if (a.commitment_earliest_end_ms != 0) c.earliest_end_ms = a.commitment_earliest_end_ms;
  if (a.commitment_ended_ms != 0) c.ended_ms = a.commitment_ended_ms;
  // A scheduled end (stored in ended_ms) is reported once it has come.
  if (c.status == kEnabledUntilEnd) {
    if (c.ended_ms && now_ms >= *c.ended_ms) {
      c.status = kDisabled;
    } else {
      c.ended_ms.reset();
    }
  }
  return c;
}

Status check_warm_throughput(Services& services, const CallContext& ctx, int64_t mibps) {
  if (!effective_commitment(services.registry->account_settings(ctx.region), ctx.now_ms).enabled()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "Warm throughput requires MinimumThroughputBillingCommitment to be enabled for the account " +
            services.registry->limits().account + " in " + ctx.region + ".");
  }
  if (mibps > kMaxWarmThroughputMiBps) {
    return make_error(ErrorCode::kLimitExceeded, "Requested warm throughput (" + std::to_string(mibps) +
                                                     " MiBps) exceeds the limit of " +
                                                     std::to_string(kMaxWarmThroughputMiBps) +
                                                     " MiBps for an on-demand stream.");
  }
  return Status::Ok();
}

Status check_mode_limits(Services& services, const CallContext& ctx, const engine::StreamMeta& s,
                         engine::StreamMode target) {
  const auto& limits = services.registry->limits();
  const RegionCounts c = count_region(services, ctx);
  if (target == engine::StreamMode::kOnDemand) {
    if (c.on_demand_streams + 1 > limits.on_demand_stream_limit) {
      return make_error(
          ErrorCode::kLimitExceeded,
          "This request would exceed the on-demand stream count limit for the account " + limits.account +
              " in " + ctx.region +
              ". Current on-demand stream count for the account: " + std::to_string(c.on_demand_streams) +
              ". Limit: " + std::to_string(limits.on_demand_stream_limit) + ".");
    }
    return Status::Ok();
  }
  const uint64_t added = s.open_shard_count();
  if (c.open_provisioned_shards + added > limits.shard_limit) {
    return make_error(
        ErrorCode::kLimitExceeded,
        "This request would exceed the shard limit for the account " + limits.account + " in " + ctx.region +
            ". Current shard count for the account: " + std::to_string(c.open_provisioned_shards) +
            ". Limit: " + std::to_string(limits.shard_limit) +
            ". Number of additional shards that would have resulted from this request: " +
            std::to_string(added) +
            ". Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/"
            "aws_service_limits.html) for current limits and how to request higher limits.");
  }
  return Status::Ok();
}

KINESISD_HANDLER(describe_limits) {
  const RegionCounts c = count_region(services, ctx);
  const auto& limits = services.registry->limits();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder(out, out.GetAllocator())
      .num("ShardLimit", static_cast<int64_t>(limits.shard_limit))
      .num("OpenShardCount", static_cast<int64_t>(c.open_provisioned_shards))
      .num("OnDemandStreamCount", static_cast<int64_t>(c.on_demand_streams))
      .num("OnDemandStreamCountLimit", static_cast<int64_t>(limits.on_demand_stream_limit))
      .num("ChannelCount", static_cast<int64_t>(services.registry->list_channels(ctx.region, ctx.now_ms).size()))
      .num("ChannelCountLimit", static_cast<int64_t>(limits.channel_limit));
  co_return out;
}

KINESISD_HANDLER(describe_account_settings) {
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out, out.GetAllocator());
  write_commitment(effective_commitment(services.registry->account_settings(ctx.region), ctx.now_ms), b);
  co_return out;
}

// ENABLED starts a commitment of at least 24 hours (or cancels a scheduled end); DISABLED ends it, at once
// when the minimum has passed, otherwise at EarliestAllowedEndAt (ENABLED_UNTIL_EARLIEST_ALLOWED_END until
// then).
KINESISD_HANDLER(update_account_settings) {
  const auto* requested = get_object(in, "MinimumThroughputBillingCommitment");
  const bool enable = requested && get_string(*requested, "Status") == kEnabled;
  const int64_t now = ctx.now_ms;
  Commitment result;
  auto s = services.registry->update_account_settings(ctx.region, [&](engine::AccountSettings& a) -> Status {
    Commitment c = effective_commitment(a, now);
    if (enable) {
      if (c.status == kDisabled) {
        c = Commitment{kEnabled, now, std::nullopt, now + kCommitmentMinimumMs};
      } else {
        c.status = kEnabled;  // also cancels a scheduled end
        c.ended_ms.reset();
      }
    } else if (c.status == kEnabled) {
      if (c.earliest_end_ms && now < *c.earliest_end_ms) {
        c.status = kEnabledUntilEnd;
        store(c, a);
        a.commitment_ended_ms = *c.earliest_end_ms;  // the scheduled end
        result = c;
        return Status::Ok();
      }
      c.status = kDisabled;
      c.ended_ms = now;
    }
    store(c, a);
    result = c;
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out, out.GetAllocator());
  write_commitment(result, b);
  co_return out;
}

}  // namespace kinesisd::api
