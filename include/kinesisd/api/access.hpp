// Resource-policy enforcement for verified callers (--verify-signatures on): finds the stream or consumer a call
// acts on and evaluates its resource policy (auth/policy.hpp) for the caller's account.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "kinesisd/api/context.hpp"

namespace kinesisd::api {

// AccessDenied when the policy of the resource the call names denies `kinesis:<operation>` to the caller, or when a
// caller of another account than the resource's has no Allow. Calls that name no existing resource pass (the
// handler answers them). REQUIRES: `input` validated.
Status check_resource_policy(Services& services, const CallContext& ctx, const rapidjson::Value& input,
                             const std::string& caller_account);

}  // namespace kinesisd::api
