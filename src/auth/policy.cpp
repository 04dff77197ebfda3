#include "kinesisd/auth/policy.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <string_view>
#include <vector>

namespace kinesisd::auth {
namespace {

std::vector<std::string_view> strings_of(const rapidjson::Value& v) {
  std::vector<std::string_view> out;
  if (v.IsString()) {
    out.emplace_back(v.GetString(), v.GetStringLength());
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

bool principal_matches(const rapidjson::Value& principal, const PolicyRequest& r) {
  auto one = [&](std::string_view p) {
    return p == "*" || p == r.caller_account || p == r.caller_arn ||
           p == "arn:aws:iam::" + r.caller_account + ":root";
  };
  if (principal.IsString()) return one(std::string_view(principal.GetString(), principal.GetStringLength()));
  if (!principal.IsObject()) return false;
  auto aws = principal.FindMember("AWS");
  if (aws == principal.MemberEnd()) return false;
  for (auto p : strings_of(aws->value))
    if (one(p)) return true;
  return false;
}

// Whether `member` (or its Not- form) of statement `st` matches `value`; true when neither is present.
bool element_matches(const rapidjson::Value& st, const char* member, const char* not_member, std::string_view value,
                     bool fold_case) {
  auto any = [&](const rapidjson::Value& v) {
    for (auto p : strings_of(v))
      if (wildcard_match(p, value, fold_case)) return true;
    return false;
  };
  if (auto it = st.FindMember(member); it != st.MemberEnd()) return any(it->value);
  if (auto it = st.FindMember(not_member); it != st.MemberEnd()) return !any(it->value);
  return false;  // a statement must name what it applies to
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text, bool fold_case) {
  auto eq = [fold_case](char a, char b) {
    return fold_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
                     : a == b;
  };
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || eq(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PolicyDecision evaluate_policy(const std::string& policy, const PolicyRequest& r) {
  if (policy.empty()) return PolicyDecision::kNotAllowed;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(policy.c_str(), policy.size());  // nesting costs no stack
  if (doc.HasParseError() || !doc.IsObject()) return PolicyDecision::kNotAllowed;
  auto statements = doc.FindMember("Statement");
  if (statements == doc.MemberEnd()) return PolicyDecision::kNotAllowed;
  std::vector<const rapidjson::Value*> list;
  if (statements->value.IsObject()) list.push_back(&statements->value);
  if (statements->value.IsArray())
    for (const auto& s : statements->value.GetArray())
      if (s.IsObject()) list.push_back(&s);
  bool allowed = false;
  for (const auto* st : list) {
    auto effect = st->FindMember("Effect");
    if (effect == st->MemberEnd() || !effect->value.IsString()) continue;
    const std::string_view e(effect->value.GetString(), effect->value.GetStringLength());
    bool who = false;
    if (auto p = st->FindMember("Principal"); p != st->MemberEnd()) {
      who = principal_matches(p->value, r);
    } else if (auto np = st->FindMember("NotPrincipal"); np != st->MemberEnd()) {
      who = !principal_matches(np->value, r);
    }
    const bool applies = who && element_matches(*st, "Action", "NotAction", r.action, true) &&
                         element_matches(*st, "Resource", "NotResource", r.resource_arn, false);
    if (!applies) continue;
    const bool conditional = st->HasMember("Condition");
    if (e == "Deny") return PolicyDecision::kExplicitDeny;  // with or without a Condition: fail closed
    if (e == "Allow" && !conditional) allowed = true;
  }
  return allowed ? PolicyDecision::kAllowed : PolicyDecision::kNotAllowed;
}

std::string access_denied_message(const PolicyRequest& r, PolicyDecision decision) {
  std::string m = "User: " + r.caller_arn + " is not authorized to perform: " + r.action + " on resource: " +
                  r.resource_arn;
  if (decision == PolicyDecision::kExplicitDeny) return m + " with an explicit deny in a resource-based policy";
  return m + " because no resource-based policy allows the " + r.action + " action";
}

}  // namespace kinesisd::auth
