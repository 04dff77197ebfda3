// SigV4: the shape check of the Authorization header or presigned query (auth/sigv4_shape) and, for shapes that
// pass, verification (auth/sigv4_verify) against a known key. The input is split into fields at '\n':
//   authorization | query | method | path | body | header lines "name:value"...
// The first byte's bit 0 says whether X-Amz-Date was sent. The access key AKIDEXAMPLE is known, so a well-formed
// request reaches the canonical request and signature comparison.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kinesisd/auth/sigv4_shape.hpp"
#include "kinesisd/auth/sigv4_verify.hpp"

using namespace kinesisd::auth;

namespace {

std::string_view next_field(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const std::string_view field = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SecretStore secrets =
      SecretStore::parse("AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").value();
  if (size < 1) return 0;
  const bool has_date = (data[0] & 1) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string authorization(next_field(rest));
  const std::string query(next_field(rest));
  const std::string_view method = next_field(rest);
  const std::string_view path = next_field(rest);
  const std::string_view body = next_field(rest);
  std::vector<std::pair<std::string, std::string>> headers;
  while (!rest.empty()) {
    const std::string_view line = next_field(rest);
    const auto colon = line.find(':');
    headers.emplace_back(std::string(line.substr(0, colon)),
                         colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
  }

  auto credential = check_signature_shape(authorization, query, has_date);
  if (!credential) return 0;
  const SignedRequest request{method, path, query, body, &headers};
  // 2015-08-30T12:36:00Z, the date of AWS's SigV4 examples the seeds use.
  (void)verify_signature(request, *credential, secrets, 1440938160000);
  (void)canonical_request(request, *credential, sha256_hex(body));
  return 0;
}
