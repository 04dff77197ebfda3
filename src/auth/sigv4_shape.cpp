#include "kinesisd/auth/sigv4_shape.hpp"

#include <map>
#include <string_view>
#include <vector>

namespace kinesisd::auth {
namespace {

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(start, amp - start);
    const size_t eq = pair.find('=');
    try {
      if (eq == std::string::npos) {
        out[url_decode(pair)] = "";
      } else {
        out[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
      }
    } catch (const std::exception&) {
      // A malformed percent escape leaves that parameter out; the shape check reports what is missing.
    }
    start = amp + 1;
  }
  return out;
}

Result<Credential> parse_credential(std::string_view scope) {
  // AKID/YYYYMMDD/region/service/aws4_request, without allocating for the split.
  std::string_view parts[6];
  size_t count = 0, start = 0;
  for (;;) {
    const size_t slash = scope.find('/', start);
    if (count < 6) parts[count] = scope.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    ++count;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (count != 5) {
    return make_error(ErrorCode::kIncompleteSignature,
                      "Credential should be scoped to a valid region, not '" +
                          (count > 2 ? std::string(parts[2]) : std::string()) + "'. ");
  }
  if (parts[4] != "aws4_request") {
    return make_error(ErrorCode::kIncompleteSignature, "Credential should be scoped with a valid terminator: "
                                                       "'aws4_request', not '" + std::string(parts[4]) + "'. ");
  }
  bool region_ok = !parts[2].empty();
  for (char c : parts[2]) region_ok = region_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!region_ok) {
    return make_error(ErrorCode::kIncompleteSignature,
                      "Credential should be scoped to a valid region, not '" + std::string(parts[2]) + "'. ");
  }
  Credential c;
  c.access_key_id = parts[0];
  c.date = parts[1];
  c.region = parts[2];
  c.service = parts[3];
  return c;
}

}  // namespace

Result<Credential> check_signature_shape(const std::string& authorization, const std::string& query, bool has_date) {
  const auto params = query.empty() ? std::map<std::string, std::string>() : parse_query(query);
  const bool query_auth = params.count("X-Amz-Algorithm") != 0;
  if (!authorization.empty() && query_auth) {
    return make_error(ErrorCode::kInvalidSignature,
                      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  if (authorization.empty() && !query_auth) {
    return make_error(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  }
  std::string msg;
  if (!authorization.empty()) {
    // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." (read as views: this runs on every call)
    std::string_view credential_field, signature_field, signed_headers_field;
    const std::string_view header(authorization);
    size_t pos = header.find(' ');
    while (pos != std::string_view::npos && pos < header.size()) {
      const size_t begin = header.find_first_not_of(", ", pos);
      if (begin == std::string_view::npos) break;
      const size_t end = header.find_first_of(", ", begin);
      const std::string_view item = header.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
      const size_t eq = item.find('=');
      if (eq != std::string_view::npos) {
        const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "Credential") credential_field = value;
        if (key == "Signature") signature_field = value;
        if (key == "SignedHeaders") signed_headers_field = value;
      }
      pos = end;
    }
    if (credential_field.empty()) msg += "Authorization header requires 'Credential' parameter. ";
    if (signature_field.empty()) msg += "Authorization header requires 'Signature' parameter. ";
    if (signed_headers_field.empty()) msg += "Authorization header requires 'SignedHeaders' parameter. ";
    if (!has_date) {
      msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (!msg.empty()) return make_error(ErrorCode::kIncompleteSignature, msg + "Authorization=" + authorization);
    auto credential = parse_credential(credential_field);
    if (credential) {
      credential->signed_headers = signed_headers_field;
      credential->signature = signature_field;
    }
    return credential;
  }
  for (const char* p : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    auto it = params.find(p);
    if (it == params.end() || it->second.empty())
      msg += std::string("AWS query-string parameters must include '") + p + "'. ";
  }
  if (!msg.empty()) return make_error(ErrorCode::kIncompleteSignature, msg + "Re-examine the query-string parameters.");
  auto credential = parse_credential(params.at("X-Amz-Credential"));
  if (credential) {
    credential->signed_headers = params.at("X-Amz-SignedHeaders");
    credential->signature = params.at("X-Amz-Signature");
    credential->presigned = true;
    credential->query_date = params.at("X-Amz-Date");
    if (auto it = params.find("X-Amz-Expires"); it != params.end()) {
      const std::string& v = it->second;
      const bool digits = !v.empty() && v.size() <= 7 && v.find_first_not_of("0123456789") == std::string::npos;
      const int64_t secs = digits ? std::stoll(v) : -1;
      if (secs < 1 || secs > 604800) {
        return make_error(ErrorCode::kIncompleteSignature,
                          "X-Amz-Expires must be an integer from 1 to 604800 (7 days), not '" + v + "'.");
      }
      credential->expires_secs = secs;
    }
  }
  return credential;
}

}  // namespace kinesisd::auth
