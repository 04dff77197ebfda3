#include "kinesisd/api/access.hpp"

#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/auth/policy.hpp"

namespace kinesisd::api {
namespace {

struct Target {
  std::string arn;
  std::string account;
  std::string policy;
};

// The stream named by a stream ARN, if it exists here.
StreamRef stream_of_arn(Services& services, const std::string& arn, int64_t now) {
  auto parts = engine::parse_stream_arn(arn);
  if (!parts || parts->account != services.registry->limits().account) return nullptr;
  auto ref = services.registry->find_ref(parts->region, parts->name, now);
  return ref ? ref.value() : nullptr;
}

// A consumer ARN (<stream ARN>/consumer/<name>:<created>) or a stream ARN, with its policy.
std::optional<Target> target_of_arn(Services& services, const std::string& arn, int64_t now) {
  const size_t at = arn.find("/consumer/");
  auto stream = stream_of_arn(services, arn.substr(0, at), now);
  if (!stream) return std::nullopt;
  if (at == std::string::npos) return Target{arn, stream->account, stream->resource_policy};
  if (const auto* c = stream->consumer_by_arn(arn, now)) return Target{arn, stream->account, c->resource_policy};
  return std::nullopt;
}

std::optional<Target> target_of(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
  for (const char* member : {"ConsumerARN", "ResourceARN", "StreamARN"}) {
    if (auto arn = get_string(in, member)) return target_of_arn(services, *arn, ctx.now_ms);
  }
  if (auto name = get_string(in, "StreamName")) {
    auto ref = services.registry->find_ref(ctx.region, *name, ctx.now_ms);
    if (!ref) return std::nullopt;
    return Target{(*ref)->arn(), (*ref)->account, (*ref)->resource_policy};
  }
  if (auto token = get_string(in, "ShardIterator")) {
    auto it = services.iterators->decode(*token, ctx.now_ms);
    if (!it) return std::nullopt;
    auto ref = services.registry->find_ref(it->region, it->stream_name, ctx.now_ms);
    if (!ref || (*ref)->created_ms != it->stream_created_ms) return std::nullopt;
    return Target{(*ref)->arn(), (*ref)->account, (*ref)->resource_policy};
  }
  return std::nullopt;
}

}  // namespace

Status check_resource_policy(Services& services, const CallContext& ctx, const rapidjson::Value& input,
                             const std::string& caller_account) {
  auto target = target_of(services, ctx, input);
  if (!target) return Status::Ok();
  const bool cross_account = caller_account != target->account;
  if (target->policy.empty() && !cross_account) return Status::Ok();
  const auth::PolicyRequest request{caller_account, "arn:aws:iam::" + caller_account + ":root",
                                    "kinesis:" + ctx.operation->name, target->arn, target->account};
  const auto decision = auth::evaluate_policy(target->policy, request);
  if (decision == auth::PolicyDecision::kExplicitDeny ||
      (cross_account && decision != auth::PolicyDecision::kAllowed)) {
    return make_error(ErrorCode::kAccessDenied, auth::access_denied_message(request, decision));
  }
  return Status::Ok();
}

}  // namespace kinesisd::api
