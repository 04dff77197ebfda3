// Stream settings: IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod, EnableEnhancedMonitoring,
// DisableEnhancedMonitoring, UpdateStreamMode, UpdateMaxRecordSize, UpdateStreamWarmThroughput.
//
// Every change is checked and made inside one StreamRegistry::update_stream call (atomic with the stream's
// state), puts the stream in UPDATING for the configured delay, and is on disk before the answer. A request
// that asks for what the stream already has (same retention, same mode, ...) changes nothing and succeeds.
#include <array>
#include <functional>
#include <set>
#include <string_view>
#include <vector>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/settings_support.hpp"

namespace kinesisd::api {

namespace {

constexpr int kMinRetentionHours = 24;
constexpr int kMaxRetentionHours = 8760;

// The shard-level metrics in the order the model lists them; "ALL" stands for all of them.
constexpr std::array<std::string_view, 7> kShardLevelMetrics{"IncomingBytes",
                                                             "IncomingRecords",
                                                             "OutgoingBytes",
                                                             "OutgoingRecords",
                                                             "WriteProvisionedThroughputExceeded",
                                                             "ReadProvisionedThroughputExceeded",
                                                             "IteratorAgeMilliseconds"};

// The text CreateStream gives for the same mistake (stream_registry.cpp).
Error warm_needs_on_demand() {
  return make_error(ErrorCode::kInvalidArgument,
                    "WarmThroughputMiBps can only be specified for a stream in ON_DEMAND mode.");
}

boost::asio::awaitable<Output> change_retention(Services& services, const CallContext& ctx,
                                                const rapidjson::Value& in, bool increase) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const int64_t hours = *get_int(in, "RetentionPeriodHours");
  const std::string requested = "Requested retention period (" + std::to_string(hours) + " hours)";
  if (hours < kMinRetentionHours) {
    co_return make_error(ErrorCode::kInvalidArgument, "Minimum allowed retention period is " +
                                                          std::to_string(kMinRetentionHours) + " hours. " +
                                                          requested + " is too short.");
  }
  if (hours > kMaxRetentionHours) {
    co_return make_error(ErrorCode::kInvalidArgument, "Maximum allowed retention period is " +
                                                          std::to_string(kMaxRetentionHours) + " hours. " +
                                                          requested + " is too long.");
  }
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    const std::string existing =
        " existing retention period (" + std::to_string(m.retention_hours) + " hours).";
    if (increase && hours < m.retention_hours) {
      return make_error(ErrorCode::kInvalidArgument, requested + " for stream " + m.name +
                                                         " can not be shorter than" + existing +
                                                         " Use DecreaseRetentionPeriod API.");
    }
    if (!increase && hours > m.retention_hours) {
      return make_error(ErrorCode::kInvalidArgument, requested + " for stream " + m.name +
                                                         " can not be longer than" + existing +
                                                         " Use IncreaseRetentionPeriod API.");
    }
    if (hours != m.retention_hours) {
      m.retention_hours = static_cast<int>(hours);
      mark_updating(m, services, ctx);
    }
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

// The metrics a request names, "ALL" expanded.
std::set<std::string_view> requested_metrics(const rapidjson::Value& in) {
  std::set<std::string_view> out;
  auto it = in.FindMember("ShardLevelMetrics");
  if (it == in.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& v : it->value.GetArray()) {
    if (!v.IsString()) continue;
    const std::string_view name(v.GetString(), v.GetStringLength());
    if (name == "ALL") {
      out.insert(kShardLevelMetrics.begin(), kShardLevelMetrics.end());
    } else {
      for (auto known : kShardLevelMetrics)
        if (known == name) out.insert(known);
    }
  }
  return out;
}

boost::asio::awaitable<Output> change_monitoring(Services& services, const CallContext& ctx,
                                                 const rapidjson::Value& in, bool enable) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto requested = requested_metrics(in);
  std::vector<std::string> before, after;
  std::string name, arn;
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    const std::set<std::string> current(m.shard_level_metrics.begin(), m.shard_level_metrics.end());
    before.clear();
    after.clear();
    for (auto metric : kShardLevelMetrics) {
      const bool on = current.count(std::string(metric)) > 0;
      const bool named = requested.count(metric) > 0;
      if (on) before.emplace_back(metric);
      if (enable ? (on || named) : (on && !named)) after.emplace_back(metric);
    }
    if (after != m.shard_level_metrics) {
      m.shard_level_metrics = after;
      mark_updating(m, services, ctx);
    }
    name = m.name;
    arn = m.arn();
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  b.str("StreamName", name);
  auto& current = b.array("CurrentShardLevelMetrics");
  for (const auto& m : before) current.PushBack(rapidjson::Value(m.c_str(), alloc), alloc);
  auto& desired = b.array("DesiredShardLevelMetrics");
  for (const auto& m : after) desired.PushBack(rapidjson::Value(m.c_str(), alloc), alloc);
  b.str("StreamARN", arn);
  co_return out;
}

}  // namespace

KINESISD_HANDLER(increase_stream_retention_period) {
  co_return co_await change_retention(services, ctx, in, true);
}

KINESISD_HANDLER(decrease_stream_retention_period) {
  co_return co_await change_retention(services, ctx, in, false);
}

KINESISD_HANDLER(enable_enhanced_monitoring) {
  co_return co_await change_monitoring(services, ctx, in, true);
}

KINESISD_HANDLER(disable_enhanced_monitoring) {
  co_return co_await change_monitoring(services, ctx, in, false);
}

KINESISD_HANDLER(update_stream_mode) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto* details = get_object(in, "StreamModeDetails");
  const auto target = (details && get_string(*details, "StreamMode") == "ON_DEMAND")
                          ? engine::StreamMode::kOnDemand
                          : engine::StreamMode::kProvisioned;
  const auto warm = get_int(in, "WarmThroughputMiBps");
  if (warm && *warm > 0) {
    if (target != engine::StreamMode::kOnDemand) {
      co_return warm_needs_on_demand();
    }
    if (auto ok = check_warm_throughput(services, ctx, *warm); !ok) co_return ok.error();
  }
  // The account-wide limits a switch must respect. Counted from a snapshot just before the change: the
  // registry lock is not held across the count and the change (see the note in docs/architecture.md).
  if (target != (*stream)->mode) {
    if (auto ok = check_mode_limits(services, ctx, **stream, target); !ok) co_return ok.error();
  }
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    bool changed = false;
    if (m.mode != target) {
      if (!m.take_daily_quota("UpdateStreamMode", 2, ctx.now_ms)) {
        return make_error(ErrorCode::kLimitExceeded, "Stream " + m.name + " under account " + m.account +
                                                         " has already switched capacity mode twice in the last "
                                                         "24 hours; AWS allows two switches per rolling 24 hours.");
      }
      m.mode = target;
      if (target == engine::StreamMode::kProvisioned) m.warm_throughput_mibps.reset();
      changed = true;
    }
    if (target == engine::StreamMode::kOnDemand && warm && m.warm_throughput_mibps != warm) {
      m.warm_throughput_mibps = warm;
      changed = true;
    }
    if (changed) mark_updating(m, services, ctx);
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

KINESISD_HANDLER(update_max_record_size) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const int64_t kib = *get_int(in, "MaxRecordSizeInKiB");  // 1024..10240, checked by the model
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    if (m.max_record_size_kib != kib) {
      m.max_record_size_kib = static_cast<int>(kib);
      mark_updating(m, services, ctx);
    }
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

KINESISD_HANDLER(update_stream_warm_throughput) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const int64_t target = *get_int(in, "WarmThroughputMiBps");  // >= 0, checked by the model
  // The mode is checked again with the change; checking it first gives a PROVISIONED stream the mode error.
  if (auto active = require_active(**stream, ctx.now_ms); !active) co_return active.error();
  if ((*stream)->mode != engine::StreamMode::kOnDemand) co_return warm_needs_on_demand();
  if (target > 0) {
    if (auto ok = check_warm_throughput(services, ctx, target); !ok) co_return ok.error();
  }
  int64_t current = 0;
  std::string name, arn;
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    if (m.mode != engine::StreamMode::kOnDemand) {
      return warm_needs_on_demand();
    }
    current = m.warm_throughput_mibps.value_or(0);
    if (m.warm_throughput_mibps != target) {
      m.warm_throughput_mibps = target;
      mark_updating(m, services, ctx);
    }
    name = m.name;
    arn = m.arn();
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out, out.GetAllocator());
  b.str("StreamARN", arn).str("StreamName", name);
  // The answer describes the scaling just started: towards the target, from what the stream had.
  OutBuilder(b.object("WarmThroughput"), b.alloc()).num("TargetMiBps", target).num("CurrentMiBps", current);
  co_return out;
}

// Takes effect at once and without an UPDATING phase, as AWS documents ("without downtime"). AUTO is for
// ON_DEMAND streams only.
KINESISD_HANDLER(update_stream_record_distribution_strategy) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const std::string strategy = *get_string(in, "RecordDistributionStrategy");
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    if (strategy == "AUTO" && m.mode != engine::StreamMode::kOnDemand) {
      return make_error(ErrorCode::kInvalidArgument,
                        "RecordDistributionStrategy AUTO is only supported for streams in ON_DEMAND mode.");
    }
    m.record_distribution = strategy;
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

}  // namespace kinesisd::api
