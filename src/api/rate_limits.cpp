#include "kinesisd/api/rate_limits.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/engine/stream_meta.hpp"

namespace kinesisd::api {
namespace {

using enum RateScope;

// Sources: the API Reference (each operation's documentation in the service model, "X has a limit of N
// transactions per second per account|stream|shard") and, where it says nothing, the Developer Guide's "KDS
// Control Plane API Limits" table. docs/architecture.md lists each limit with its source.
constexpr std::array<OperationRate, 30> kRates{{
    {"AddTagsToStream", 5, kAccount},
    {"CreateChannel", 5, kAccount},
    {"CreateStream", 5, kAccount},
    {"DecreaseStreamRetentionPeriod", 5, kAccount},
    {"DeleteChannel", 5, kAccount},
    {"DeleteStream", 5, kAccount},
    {"DeregisterStreamConsumer", 5, kStream},
    {"DescribeAccountSettings", 5, kAccount},
    {"DescribeChannel", 5, kAccount},
    {"DescribeLimits", 1, kAccount},
    {"DescribeStream", 10, kAccount},
    {"DescribeStreamConsumer", 20, kStream},
    {"DescribeStreamSummary", 20, kAccount},
    {"DisableEnhancedMonitoring", 5, kAccount},
    {"EnableEnhancedMonitoring", 5, kAccount},
    {"GetShardIterator", 5, kShard},
    {"IncreaseStreamRetentionPeriod", 5, kAccount},
    {"ListChannels", 5, kAccount},
    {"ListShards", 1000, kStream},
    {"ListStreamConsumers", 5, kStream},
    {"ListStreams", 5, kAccount},
    {"ListTagsForStream", 5, kAccount},
    {"MergeShards", 5, kAccount},
    {"RegisterStreamConsumer", 5, kAccount},
    {"RemoveTagsFromStream", 5, kAccount},
    {"SplitShard", 5, kAccount},
    {"UpdateAccountSettings", 5, kAccount},
    {"UpdateChannel", 5, kAccount},
    {"UpdateShardCount", 10, kAccount},
    {"UpdateStreamWarmThroughput", 5, kAccount},
}};

static_assert(std::is_sorted(kRates.begin(), kRates.end(),
                             [](const auto& a, const auto& b) { return a.operation < b.operation; }));

// The stream a call names, for its bucket and its message: StreamName, else the name in StreamARN or
// ConsumerARN (arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<time>).
std::optional<std::string> stream_named(const rapidjson::Value& in) {
  if (auto name = get_string(in, "StreamName")) return name;
  if (auto arn = get_string(in, "StreamARN")) {
    if (auto parts = engine::parse_stream_arn(*arn)) return parts->name;
    return std::nullopt;
  }
  if (auto arn = get_string(in, "ConsumerARN")) {
    const auto at = arn->find(":stream/");
    if (at == std::string::npos) return std::nullopt;
    const auto begin = at + 8;
    return arn->substr(begin, arn->find('/', begin) - begin);
  }
  return std::nullopt;
}

}  // namespace

std::span<const OperationRate> operation_rates() { return kRates; }

const OperationRate* find_operation_rate(std::string_view operation) {
  auto it = std::lower_bound(kRates.begin(), kRates.end(), operation,
                             [](const OperationRate& r, std::string_view name) { return r.operation < name; });
  return (it != kRates.end() && it->operation == operation) ? &*it : nullptr;
}

Status check_rate_limit(engine::RateLimiter& limiter, const std::string& account, const CallContext& ctx,
                        const rapidjson::Value& input) {
  if (!limiter.enabled() || ctx.operation == nullptr) return Status::Ok();
  const OperationRate* rate = find_operation_rate(ctx.operation->name);
  if (rate == nullptr) return Status::Ok();

  const auto stream = stream_named(input);
  const std::string shard = rate->scope == kShard ? get_string(input, "ShardId").value_or("") : "";
  // Names cannot hold '\n' (the model's patterns), so the parts cannot run into each other.
  std::string key = ctx.operation->name + '\n' + ctx.region;
  if (rate->scope != kAccount) key += '\n' + stream.value_or("");
  if (rate->scope == kShard) key += '\n' + shard;
  if (limiter.try_acquire(key, engine::Rate{rate->per_second, 0}, ctx.now_ms)) return Status::Ok();

  if (rate->scope == kShard) {
    return make_error(ErrorCode::kProvisionedThroughputExceeded, "Rate exceeded for shard " + shard + " in stream " +
                                                                     stream.value_or("") + " under account " +
                                                                     account + ".");
  }
  if (stream) {
    return make_error(ErrorCode::kLimitExceeded, "Rate exceeded for stream " + *stream + " under account " + account + ".");
  }
  return make_error(ErrorCode::kLimitExceeded, "Rate exceeded for account " + account + ".");
}

}  // namespace kinesisd::api
