// AWS's control-plane API rate limits, in one table, and the check the front door makes before a handler runs.
// The limits and their sources are listed in docs/architecture.md ("Control-plane rate limits").
#pragma once

#include <rapidjson/document.h>

#include <span>
#include <string>
#include <string_view>

#include "kinesisd/api/context.hpp"
#include "kinesisd/engine/rate_limiter.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::api {

// What one bucket covers: the account in a region, one stream, or one shard of a stream.
enum class RateScope { kAccount, kStream, kShard };

struct OperationRate {
  std::string_view operation;
  double per_second;
  RateScope scope;
};

// Every limited operation, sorted by name. Operations not listed are not rate-limited.
std::span<const OperationRate> operation_rates();
const OperationRate* find_operation_rate(std::string_view operation);

// Counts the call against its operation's limit. When the rate is exceeded: LimitExceededException with AWS's
// message ("Rate exceeded for stream S under account A." when the call names a stream, "Rate exceeded for
// account A." otherwise), or for GetShardIterator ProvisionedThroughputExceededException ("Rate exceeded for
// shard X in stream S under account A."), as AWS answers. `input` is the validated, normalised input.
Status check_rate_limit(engine::RateLimiter& limiter, const std::string& account, const CallContext& ctx,
                        const rapidjson::Value& input);

}  // namespace kinesisd::api
