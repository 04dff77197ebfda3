// Checks shared by the stream-settings handlers (settings.cpp) and the account handlers (account.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kinesisd/api/context.hpp"
#include "kinesisd/engine/resharding.hpp"
#include "kinesisd/engine/stream_meta.hpp"

namespace kinesisd::api {

using engine::require_active;  // ResourceInUse unless the stream is ACTIVE, with AWS's wording

// MinimumThroughputBillingCommitment as DescribeAccountSettings reports it at `now_ms`: a scheduled end that
// has passed reads as DISABLED.
struct Commitment {
  std::string status;  // ENABLED, DISABLED or ENABLED_UNTIL_EARLIEST_ALLOWED_END
  std::optional<int64_t> started_ms, ended_ms, earliest_end_ms;
  bool enabled() const { return status != "DISABLED"; }
};
Commitment effective_commitment(const engine::AccountSettings& a, int64_t now_ms);

// A warm throughput above 0 needs the account's commitment and stays within AWS's 10 GiBps per stream.
Status check_warm_throughput(Services& services, const CallContext& ctx, int64_t mibps);

// The account limits a switch of `s` to `target` must respect: the ON_DEMAND stream count, or the shard
// limit.
Status check_mode_limits(Services& services, const CallContext& ctx, const engine::StreamMeta& s,
                         engine::StreamMode target);

}  // namespace kinesisd::api
