// Resource-policy evaluation: explicit deny wins, cross-account callers need an allow, wildcards, Not- forms.
#include <gtest/gtest.h>

#include "kinesisd/auth/policy.hpp"

namespace kinesisd::auth {
namespace {

const char* kStream = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

PolicyRequest call(const std::string& account, const std::string& action, const std::string& resource = kStream) {
  return {account, "arn:aws:iam::" + account + ":root", action, resource, "000000000000"};
}

TEST(Policy, Wildcards) {
  EXPECT_TRUE(wildcard_match("kinesis:*", "kinesis:PutRecord", true));
  EXPECT_TRUE(wildcard_match("KINESIS:put*", "kinesis:PutRecords", true));
  EXPECT_FALSE(wildcard_match("kinesis:Get*", "kinesis:PutRecord", true));
  EXPECT_TRUE(wildcard_match("arn:aws:kinesis:*:*:stream/ord?rs", kStream, false));
  EXPECT_FALSE(wildcard_match("arn:aws:kinesis:*:*:stream/Orders", kStream, false));
  EXPECT_TRUE(wildcard_match("*", "", false));
  EXPECT_FALSE(wildcard_match("a*b", "acd", false));
}

TEST(Policy, AllowForAnotherAccount) {
  const std::string policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kinesis:PutRecord","kinesis:PutRecords"],
      "Resource":")" + std::string(kStream) + R"("}]})";
  EXPECT_EQ(evaluate_policy(policy, call("111122223333", "kinesis:PutRecord")), PolicyDecision::kAllowed);
  EXPECT_EQ(evaluate_policy(policy, call("111122223333", "kinesis:GetRecords")), PolicyDecision::kNotAllowed);
  EXPECT_EQ(evaluate_policy(policy, call("444455556666", "kinesis:PutRecord")), PolicyDecision::kNotAllowed);
  EXPECT_EQ(evaluate_policy(policy, call("111122223333", "kinesis:PutRecord",
                                        "arn:aws:kinesis:us-east-1:000000000000:stream/other")),
            PolicyDecision::kNotAllowed);
  EXPECT_EQ(access_denied_message(call("111122223333", "kinesis:GetRecords"), PolicyDecision::kNotAllowed),
            "User: arn:aws:iam::111122223333:root is not authorized to perform: kinesis:GetRecords on resource: "
            "arn:aws:kinesis:us-east-1:000000000000:stream/orders because no resource-based policy allows the "
            "kinesis:GetRecords action");
}

TEST(Policy, ExplicitDenyWins) {
  const std::string policy = R"({"Statement":[
      {"Effect":"Allow","Principal":"*","Action":"kinesis:*","Resource":"*"},
      {"Effect":"Deny","Principal":{"AWS":"000000000000"},"Action":"kinesis:Delete*","Resource":"*"}]})";
  EXPECT_EQ(evaluate_policy(policy, call("000000000000", "kinesis:DeleteStream")), PolicyDecision::kExplicitDeny);
  EXPECT_EQ(evaluate_policy(policy, call("000000000000", "kinesis:PutRecord")), PolicyDecision::kAllowed);
  EXPECT_EQ(evaluate_policy(policy, call("111122223333", "kinesis:DeleteStream")), PolicyDecision::kAllowed);
  EXPECT_NE(access_denied_message(call("000000000000", "kinesis:DeleteStream"), PolicyDecision::kExplicitDeny)
                .find("with an explicit deny in a resource-based policy"),
            std::string::npos);
}

TEST(Policy, NotActionNotPrincipalAndConditions) {
  const std::string not_forms = R"({"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"000000000000"},
      "NotAction":"kinesis:Describe*","Resource":"*"}})";
  EXPECT_EQ(evaluate_policy(not_forms, call("111122223333", "kinesis:PutRecord")), PolicyDecision::kExplicitDeny);
  EXPECT_EQ(evaluate_policy(not_forms, call("111122223333", "kinesis:DescribeStream")), PolicyDecision::kNotAllowed);
  EXPECT_EQ(evaluate_policy(not_forms, call("000000000000", "kinesis:PutRecord")), PolicyDecision::kNotAllowed);
  // Conditions are not evaluated: fail closed both ways.
  const std::string conditional = R"({"Statement":[
      {"Effect":"Allow","Principal":"*","Action":"kinesis:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
      {"Effect":"Deny","Principal":"*","Action":"kinesis:PutRecord","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]})";
  EXPECT_EQ(evaluate_policy(conditional, call("111122223333", "kinesis:GetRecords")), PolicyDecision::kNotAllowed);
  EXPECT_EQ(evaluate_policy(conditional, call("000000000000", "kinesis:PutRecord")), PolicyDecision::kExplicitDeny);
  EXPECT_EQ(evaluate_policy("", call("000000000000", "kinesis:PutRecord")), PolicyDecision::kNotAllowed);
  EXPECT_EQ(evaluate_policy("not json", call("000000000000", "kinesis:PutRecord")), PolicyDecision::kNotAllowed);
}

}  // namespace
}  // namespace kinesisd::auth
