// SigV4 verification: AWS's published example signature, tampering, clock skew, presigned queries.
#include <gtest/gtest.h>

#include "kinesisd/auth/sigv4_verify.hpp"

namespace kinesisd::auth {
namespace {

// AWS's documented example (IAM User Guide, "Create a signed AWS API request"): IAM ListUsers, GET, 20150830.
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// The "GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08" example of AWS's SigV4 documentation.
const std::vector<std::pair<std::string, std::string>> kIamHeaders = {
    {"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
    {"host", "iam.amazonaws.com"},
    {"x-amz-date", "20150830T123600Z"}};
constexpr int64_t kIamTime = 1440938160000;  // 2015-08-30T12:36:00Z

SignedRequest iam_request() { return SignedRequest{"GET", "/", "Action=ListUsers&Version=2010-05-08", "", &kIamHeaders}; }

Credential iam_credential() {
  Credential c;
  c.access_key_id = "AKIDEXAMPLE";
  c.date = "20150830";
  c.region = "us-east-1";
  c.service = "iam";
  c.signed_headers = "content-type;host;x-amz-date";
  c.signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  return c;
}

SecretStore iam_store() { return SecretStore::parse(std::string("AKIDEXAMPLE:") + kSecret).value(); }

TEST(SigV4Verify, DerivesAwsExampleSigningKey) {
  // From the SigV4 documentation: the signing key for 20150830/us-east-1/iam.
  const std::string key = signing_key(kSecret, "20150830", "us-east-1", "iam");
  std::string hexkey;
  for (unsigned char c : key) {
    hexkey += "0123456789abcdef"[c >> 4];
    hexkey += "0123456789abcdef"[c & 0xF];
  }
  EXPECT_EQ(hexkey, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4Verify, AwsExampleRequest) {
  const SignedRequest r = iam_request();
  const Credential c = iam_credential();
  EXPECT_EQ(sha256_hex(canonical_request(r, c, sha256_hex(""))),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  const SecretStore store = iam_store();
  const int64_t at = kIamTime;
  EXPECT_TRUE(verify_signature(r, c, store, at));
  EXPECT_TRUE(verify_signature(r, c, store, at + kMaxClockSkewMs));

  Credential tampered = c;
  tampered.signature[0] = tampered.signature[0] == '5' ? '6' : '5';
  auto bad = verify_signature(r, tampered, store, at);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidSignature);
  EXPECT_NE(bad.error().message.find("does not match the signature you provided"), std::string::npos);

  SignedRequest other_query = r;
  other_query.query = "Action=ListUsers&Version=2010-05-09";
  EXPECT_FALSE(verify_signature(other_query, c, store, at));

  Credential unknown = c;
  unknown.access_key_id = "AKIDOTHER";
  auto who = verify_signature(r, unknown, store, at);
  ASSERT_FALSE(who);
  EXPECT_EQ(who.error().code, ErrorCode::kUnrecognizedClient);
  EXPECT_EQ(who.error().message, "The security token included in the request is invalid.");
}

TEST(SigV4Verify, ClockSkewAndScopeDate) {
  const SignedRequest r = iam_request();
  const Credential c = iam_credential();
  const SecretStore store = iam_store();
  const int64_t at = kIamTime;
  auto late = verify_signature(r, c, store, at + kMaxClockSkewMs + 1000);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)");
  auto early = verify_signature(r, c, store, at - kMaxClockSkewMs - 1000);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T123059Z + "
            "5 min.)");
  Credential wrong_day = c;
  wrong_day.date = "20150831";
  auto day = verify_signature(r, wrong_day, store, at);
  ASSERT_FALSE(day);
  EXPECT_EQ(day.error().message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != "
            "'20150830', from '20150830T123600Z'.");
}

TEST(SigV4Verify, PresignedRequestsLiveForTheirExpiry) {
  // The IAM example again, as if presigned: the signature itself is not what this checks, the window is.
  const std::vector<std::pair<std::string, std::string>> headers = {{"host", "h"}};
  SignedRequest r{"GET", "/", "", "", &headers};
  Credential c;
  c.access_key_id = "AKIDEXAMPLE";
  c.date = "20150830";
  c.region = "us-east-1";
  c.service = "iam";
  c.signed_headers = "host";
  c.presigned = true;
  c.query_date = "20150830T123600Z";
  c.expires_secs = 3600;
  auto store = SecretStore::parse(std::string("AKIDEXAMPLE:") + kSecret);
  const int64_t at = 1440938160000;
  // Within the hour (well past the 5-minute skew): only the (dummy) signature is wrong.
  auto within = verify_signature(r, c, *store, at + 30 * 60 * 1000);
  ASSERT_FALSE(within);
  EXPECT_NE(within.error().message.find("does not match"), std::string::npos);
  auto after = verify_signature(r, c, *store, at + 3601 * 1000);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T133601Z - 3600 sec.)");
}

TEST(SigV4Verify, HostFallsBackToHttp2Authority) {
  const std::vector<std::pair<std::string, std::string>> h1 = {{"host", "127.0.0.1:4567"}, {"x-amz-date", "20150830T123600Z"}};
  const std::vector<std::pair<std::string, std::string>> h2 = {{":authority", "127.0.0.1:4567"},
                                                               {"x-amz-date", "20150830T123600Z"}};
  Credential c;
  c.signed_headers = "host;x-amz-date";
  SignedRequest a{"POST", "/", "", "{}", &h1};
  SignedRequest b{"POST", "/", "", "{}", &h2};
  EXPECT_EQ(canonical_request(a, c, "x"), canonical_request(b, c, "x"));
}

TEST(SigV4Verify, CanonicalFormsOfHeadersQueryAndPath) {
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"my-header", "  a   b  "}, {"my-header", "c"}, {"host", "h"}};
  SignedRequest r{"POST", "/a b/%2F", "b=2&a=%7e&a=1&X-Amz-Signature=zz", "", &headers};
  Credential c;
  c.signed_headers = "host;my-header";
  c.presigned = true;
  EXPECT_EQ(canonical_request(r, c, "UNSIGNED-PAYLOAD"),
            "POST\n/a%20b/%252F\na=1&a=~&b=2\nhost:h\nmy-header:a b,c\n\nhost;my-header\nUNSIGNED-PAYLOAD");
}

TEST(SigV4Verify, SecretStoreParsing) {
  auto ok = SecretStore::parse("AK1:s1,AK2:s:with:colons,AK3:s3:111122223333", "000000000000");
  ASSERT_TRUE(ok);
  ASSERT_NE(ok->find("AK2"), nullptr);
  EXPECT_EQ(*ok->find("AK2"), "s:with:colons");
  EXPECT_EQ(ok->account_of("AK1"), "000000000000");
  EXPECT_EQ(*ok->find("AK3"), "s3");
  EXPECT_EQ(ok->account_of("AK3"), "111122223333");
  EXPECT_EQ(ok->find("AK4"), nullptr);
  EXPECT_EQ(ok->account_of("AK4"), "");
  EXPECT_FALSE(SecretStore::parse("nocolon"));
  EXPECT_FALSE(SecretStore::parse(":secret"));
  EXPECT_FALSE(SecretStore::parse("AK:"));
}

}  // namespace
}  // namespace kinesisd::auth
