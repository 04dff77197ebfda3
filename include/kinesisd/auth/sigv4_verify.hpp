// SigV4 signature verification (optional: --verify-signatures on). Recomputes the signature of a request from the
// configured secret of its access key, exactly as the AWS SDKs compute it, for both the Authorization header and
// presigned query strings. See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kinesisd/auth/sigv4_shape.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::auth {

// What the signature covers. Header names are lowercase; a name that appears more than once appears so here too.
struct SignedRequest {
  std::string_view method;
  std::string_view path;   // as sent, without the query
  std::string_view query;  // raw, "" when none
  std::string_view body;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
};

// Access key id -> secret access key and the account the key belongs to, fixed at start.
class SecretStore {
 public:
  // "AKID:SECRET[:ACCOUNT][,...]": ACCOUNT (12 digits) defaults to `default_account`, the server's own. A key of
  // another account is a cross-account caller, which resource policies must allow. InvalidArgument when malformed.
  static Result<SecretStore> parse(const std::string& spec, const std::string& default_account = "000000000000");
  const std::string* find(const std::string& access_key_id) const;
  // The account of a known key ("" when unknown).
  std::string account_of(const std::string& access_key_id) const;
  bool empty() const { return keys_.empty(); }

 private:
  struct Key {
    std::string secret;
    std::string account;
  };
  std::map<std::string, Key> keys_;
};

// How far a request's X-Amz-Date may be from the server's clock (AWS: 5 minutes).
inline constexpr int64_t kMaxClockSkewMs = 5 * 60 * 1000;

// Verifies `request` against `credential` (as check_signature_shape read it). Errors, with AWS's types and texts:
// UnrecognizedClient (unknown access key), InvalidSignature (mismatch, expired or not yet current, scope date).
Status verify_signature(const SignedRequest& request, const Credential& credential, const SecretStore& secrets,
                        int64_t now_ms);

// Building blocks, exposed for tests.
std::string canonical_request(const SignedRequest& request, const Credential& credential,
                              std::string_view payload_hash);
std::string sha256_hex(std::string_view data);
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace kinesisd::auth
