// Resource-based policies (PutResourcePolicy) evaluated for a verified caller, the way AWS combines them when
// no identity policies exist: an explicit Deny wins; a caller of another account needs an explicit Allow; a
// caller of the resource's own account is allowed unless denied.
//
// Supported: Version, Statement (object or array), Effect, Principal ("*", {"AWS": account id | ARN | "*" | list}),
// NotPrincipal, Action / NotAction and Resource / NotResource (strings or lists, '*' and '?' wildcards,
// case-insensitive actions). A statement with a Condition is not evaluated: it never allows, and a Deny with a
// Condition always applies (fail closed).
#pragma once

#include <string>

namespace kinesisd::auth {

struct PolicyRequest {
  std::string caller_account;  // 12 digits
  std::string caller_arn;      // arn:aws:iam::<account>:root
  std::string action;          // kinesis:PutRecord
  std::string resource_arn;    // the stream's or consumer's ARN
  std::string resource_account;
};

enum class PolicyDecision { kAllowed, kExplicitDeny, kNotAllowed };

// `policy` is the stored document ("" when none). Malformed documents (refused by PutResourcePolicy anyway)
// allow nothing and deny nothing.
PolicyDecision evaluate_policy(const std::string& policy, const PolicyRequest& request);

// AWS's AccessDeniedException text for a refusal.
std::string access_denied_message(const PolicyRequest& request, PolicyDecision decision);

// '*' (any run) and '?' (one character) wildcards; case-insensitive when `fold_case`.
bool wildcard_match(std::string_view pattern, std::string_view text, bool fold_case);

}  // namespace kinesisd::auth
