// Checks that a request carries a SigV4-shaped signature (Authorization header or presigned query) and reads
// the region of its credential scope. It does not verify the signature itself.
#pragma once

#include <string>

#include "kinesisd/util/status.hpp"

namespace kinesisd::auth {

struct Credential {
  std::string access_key_id;
  std::string date;
  std::string region;
  std::string service;
  // What verification needs besides the scope.
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string signature;       // lowercase hex
  bool presigned = false;      // from the query string (X-Amz-*) rather than the Authorization header
  std::string query_date;      // X-Amz-Date of a presigned request
  int64_t expires_secs = 0;    // X-Amz-Expires of a presigned request (1..604800); 0 when not given
};

// `authorization` is the header ("" when absent), `query` the raw query string, `has_date` whether
// X-Amz-Date or Date was sent. Errors: MissingAuthenticationToken, IncompleteSignature, InvalidSignature,
// with AWS's messages.
Result<Credential> check_signature_shape(const std::string& authorization, const std::string& query, bool has_date);

}  // namespace kinesisd::auth
