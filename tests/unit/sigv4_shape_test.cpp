// auth::check_signature_shape: is there a SigV4-shaped signature, and which region does it name?
#include <gtest/gtest.h>

#include <string>

#include "kinesisd/auth/sigv4_shape.hpp"

namespace kinesisd::auth {
namespace {

const std::string kHeader =
    "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-west-2/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef";

const std::string kPresigned =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Feu-central-1%2Fkinesis%2Faws4_request"
    "&X-Amz-Date=20261122T101010Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef";

std::string header_with_credential(const std::string& credential) {
  return "AWS4-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=host, Signature=abc";
}

TEST(SigV4Shape, MissingEverything) {
  for (bool has_date : {false, true}) {
    auto r = check_signature_shape("", "", has_date);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kMissingAuthenticationToken);
    EXPECT_EQ(r.error().message, "Missing Authentication Token");
  }
  // Unrelated query parameters do not count as a presigned signature.
  auto r = check_signature_shape("", "foo=bar&X-Amz-Credential=x", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingAuthenticationToken);
}

TEST(SigV4Shape, ValidHeaderGivesCredentialScope) {
  auto r = check_signature_shape(kHeader, "", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->access_key_id, "AKID");
  EXPECT_EQ(r->date, "20261122");
  EXPECT_EQ(r->region, "us-west-2");
  EXPECT_EQ(r->service, "kinesis");
}

TEST(SigV4Shape, HeaderFieldsSeparatedByCommasOnly) {
  auto r = check_signature_shape(
      "AWS4-HMAC-SHA256 Credential=K/20260101/ap-southeast-2/kinesis/aws4_request,SignedHeaders=host,Signature=x",
      "", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->region, "ap-southeast-2");
}

TEST(SigV4Shape, HeaderMissingAllParts) {
  auto r = check_signature_shape("AWS4-HMAC-SHA256", "", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(r.error().message,
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256");
}

TEST(SigV4Shape, HeaderMissingSomeParts) {
  const std::string no_signature = "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-west-2/kinesis/aws4_request, "
                                   "SignedHeaders=host";
  auto r = check_signature_shape(no_signature, "", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(r.error().message,
            "Authorization header requires 'Signature' parameter. Authorization=" + no_signature);

  auto no_date = check_signature_shape(kHeader, "", false);
  ASSERT_FALSE(no_date.ok());
  EXPECT_EQ(no_date.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(no_date.error().message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" +
                kHeader);

  const std::string empty_values = "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=";
  auto empty = check_signature_shape(empty_values, "", true);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message,
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. Authorization=" + empty_values);
}

TEST(SigV4Shape, BothHeaderAndQueryIsInvalidSignature) {
  auto r = check_signature_shape(kHeader, kPresigned, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidSignature);
  EXPECT_EQ(r.error().message,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  // A header with an ordinary query string is fine.
  EXPECT_TRUE(check_signature_shape(kHeader, "a=b&c", true).ok());
}

TEST(SigV4Shape, PresignedQuery) {
  auto r = check_signature_shape("", kPresigned, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->access_key_id, "AKID");
  EXPECT_EQ(r->date, "20261122");
  EXPECT_EQ(r->region, "eu-central-1");
  EXPECT_EQ(r->service, "kinesis");
}

TEST(SigV4Shape, PresignedQueryMissingParameters) {
  auto r = check_signature_shape("", "X-Amz-Algorithm=AWS4-HMAC-SHA256", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(r.error().message,
            "AWS query-string parameters must include 'X-Amz-Credential'. "
            "AWS query-string parameters must include 'X-Amz-Signature'. "
            "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
            "AWS query-string parameters must include 'X-Amz-Date'. "
            "Re-examine the query-string parameters.");

  auto empty_algorithm = check_signature_shape(
      "", "X-Amz-Algorithm=&X-Amz-Credential=a%2Fb%2Fus-east-1%2Fkinesis%2Faws4_request&X-Amz-Signature=s"
          "&X-Amz-SignedHeaders=host&X-Amz-Date=d",
      true);
  ASSERT_FALSE(empty_algorithm.ok());
  EXPECT_EQ(empty_algorithm.error().message,
            "AWS query-string parameters must include 'X-Amz-Algorithm'. Re-examine the query-string parameters.");
}

TEST(SigV4Shape, MalformedPercentEscapeDropsTheParameter) {
  std::string query = kPresigned;
  const size_t at = query.find("X-Amz-Signature=abcdef");
  ASSERT_NE(at, std::string::npos);
  query.replace(at, std::string("X-Amz-Signature=abcdef").size(), "X-Amz-Signature=%ZZ");
  auto r = check_signature_shape("", query, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(r.error().message,
            "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.");
}

TEST(SigV4Shape, BadTerminatorRejected) {
  auto r = check_signature_shape(header_with_credential("AKID/20261122/us-west-2/kinesis/aws4_reques"), "", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(r.error().message,
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. ");
  auto q = check_signature_shape(
      "", "X-Amz-Algorithm=A&X-Amz-Credential=K/D/us-east-1/kinesis/aws5_request&X-Amz-Signature=s"
          "&X-Amz-SignedHeaders=host&X-Amz-Date=d",
      true);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().message,
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ");
}

TEST(SigV4Shape, BadRegionOrScopeRejected) {
  auto upper = check_signature_shape(header_with_credential("AKID/20261122/US_WEST/kinesis/aws4_request"), "", true);
  ASSERT_FALSE(upper.ok());
  EXPECT_EQ(upper.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(upper.error().message, "Credential should be scoped to a valid region, not 'US_WEST'. ");

  auto empty = check_signature_shape(header_with_credential("AKID/20261122//kinesis/aws4_request"), "", true);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "Credential should be scoped to a valid region, not ''. ");

  auto short_scope = check_signature_shape(header_with_credential("AKID/20261122/us-west-2"), "", true);
  ASSERT_FALSE(short_scope.ok());
  EXPECT_EQ(short_scope.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(short_scope.error().message, "Credential should be scoped to a valid region, not 'us-west-2'. ");

  auto one_part = check_signature_shape(header_with_credential("AKID"), "", true);
  ASSERT_FALSE(one_part.ok());
  EXPECT_EQ(one_part.error().message, "Credential should be scoped to a valid region, not ''. ");
}

}  // namespace
}  // namespace kinesisd::auth
