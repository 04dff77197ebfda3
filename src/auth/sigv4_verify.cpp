#include "kinesisd/auth/sigv4_verify.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace kinesisd::auth {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string hex(const unsigned char* data, size_t n) {
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

std::string hmac_raw(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// RFC 3986 encoding as SigV4 wants it: everything but unreserved characters (and '/' when `keep_slash`).
std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 0xF]);
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string uri_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

// Trimmed, with runs of spaces inside collapsed to one.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::optional<std::string> header_value(const SignedRequest& r, std::string_view name) {
  std::optional<std::string> value;
  if (r.headers == nullptr) return value;
  for (const auto& [n, v] : *r.headers) {
    if (n != name) continue;
    value = value ? *value + "," + canonical_value(v) : canonical_value(v);
  }
  if (!value && name == "host") return header_value(r, ":authority");  // HTTP/2 carries the host there
  return value;
}

// "YYYYMMDDTHHMMSSZ" -> epoch ms; nullopt when malformed.
std::optional<int64_t> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  std::tm tm{};
  const std::string text(s);
  if (strptime(text.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string format_amz_date(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// The request time the signature covers, in the X-Amz-Date form.
std::optional<std::string> request_date(const SignedRequest& r, const Credential& c) {
  if (c.presigned) return c.query_date;
  if (auto d = header_value(r, "x-amz-date")) return d;
  if (auto d = header_value(r, "date")) {  // RFC 1123
    std::tm tm{};
    if (strptime(d->c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return std::nullopt;
    return format_amz_date(static_cast<int64_t>(timegm(&tm)) * 1000);
  }
  return std::nullopt;
}

Error mismatch() {
  return make_error(ErrorCode::kInvalidSignature,
                    "The request signature we calculated does not match the signature you provided. Check your AWS "
                    "Secret Access Key and signing method. Consult the service documentation for details.");
}

}  // namespace

Result<SecretStore> SecretStore::parse(const std::string& spec, const std::string& default_account) {
  SecretStore store;
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    std::string pair = spec.substr(start, comma - start);
    start = comma + 1;
    std::string account = default_account;
    if (const size_t last = pair.rfind(':'); last != std::string::npos && pair.size() - last - 1 == 12 &&
                                              pair.find(':') != last &&
                                              pair.find_first_not_of("0123456789", last + 1) == std::string::npos) {
      account = pair.substr(last + 1);
      pair.resize(last);
    }
    const size_t colon = pair.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()) {
      return make_error(ErrorCode::kInvalidArgument, "expected ACCESS_KEY_ID:SECRET_ACCESS_KEY[:ACCOUNT][,...]");
    }
    store.keys_[pair.substr(0, colon)] = Key{pair.substr(colon + 1), account};
  }
  return store;
}

const std::string* SecretStore::find(const std::string& access_key_id) const {
  auto it = keys_.find(access_key_id);
  return it == keys_.end() ? nullptr : &it->second.secret;
}

std::string SecretStore::account_of(const std::string& access_key_id) const {
  auto it = keys_.find(access_key_id);
  return it == keys_.end() ? std::string() : it->second.account;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex(digest, sizeof digest);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  const std::string raw = hmac_raw(key, data);
  return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac_raw("AWS4" + std::string(secret), date);
  const std::string k_region = hmac_raw(k_date, region);
  const std::string k_service = hmac_raw(k_region, service);
  return hmac_raw(k_service, "aws4_request");
}

std::string canonical_request(const SignedRequest& r, const Credential& c, std::string_view payload_hash) {
  std::string out(r.method);
  out += '\n';
  // Services other than S3 sign the path encoded once more (the SDKs encode the already encoded path).
  out += r.path.empty() ? std::string("/") : uri_encode(r.path, true);
  out += '\n';
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < r.query.size()) {
    size_t amp = r.query.find('&', start);
    if (amp == std::string_view::npos) amp = r.query.size();
    const std::string_view item = r.query.substr(start, amp - start);
    start = amp + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    std::string key = uri_decode(item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : uri_decode(item.substr(eq + 1));
    if (c.presigned && key == "X-Amz-Signature") continue;
    params.emplace_back(uri_encode(key, false), uri_encode(value, false));
  }
  std::sort(params.begin(), params.end());
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += '&';
    out += params[i].first + "=" + params[i].second;
  }
  out += '\n';
  size_t from = 0;
  while (from <= c.signed_headers.size()) {
    size_t semi = c.signed_headers.find(';', from);
    if (semi == std::string::npos) semi = c.signed_headers.size();
    const std::string name = c.signed_headers.substr(from, semi - from);
    from = semi + 1;
    if (name.empty()) continue;
    out += name + ":" + header_value(r, name).value_or("") + "\n";
  }
  out += '\n';
  out += c.signed_headers;
  out += '\n';
  out += payload_hash;
  return out;
}

Status verify_signature(const SignedRequest& r, const Credential& c, const SecretStore& secrets, int64_t now_ms) {
  const std::string* secret = secrets.find(c.access_key_id);
  if (secret == nullptr) {
    return make_error(ErrorCode::kUnrecognizedClient, "The security token included in the request is invalid.");
  }
  const auto date = request_date(r, c);
  const auto when = date ? parse_amz_date(*date) : std::nullopt;
  if (!when) return mismatch();
  if (date->substr(0, 8) != c.date) {
    return make_error(ErrorCode::kInvalidSignature,
                      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                          c.date + "' != '" + date->substr(0, 8) + "', from '" + *date + "'.");
  }
  const std::string now = format_amz_date(now_ms);
  if (c.presigned && c.expires_secs > 0 && now_ms > *when + c.expires_secs * 1000) {
    // A presigned request is good from its X-Amz-Date for X-Amz-Expires seconds.
    return make_error(ErrorCode::kInvalidSignature, "Signature expired: " + *date + " is now earlier than " +
                                                        format_amz_date(now_ms - c.expires_secs * 1000) + " (" +
                                                        now + " - " + std::to_string(c.expires_secs) + " sec.)");
  }
  if (*when < now_ms - kMaxClockSkewMs && !(c.presigned && c.expires_secs > 0)) {
    return make_error(ErrorCode::kInvalidSignature, "Signature expired: " + *date + " is now earlier than " +
                                                        format_amz_date(now_ms - kMaxClockSkewMs) + " (" + now +
                                                        " - 5 min.)");
  }
  if (*when > now_ms + kMaxClockSkewMs) {
    return make_error(ErrorCode::kInvalidSignature, "Signature not yet current: " + *date + " is still later than " +
                                                        format_amz_date(now_ms + kMaxClockSkewMs) + " (" + now +
                                                        " + 5 min.)");
  }
  std::string payload_hash;
  if (auto declared = header_value(r, "x-amz-content-sha256")) {
    payload_hash = *declared;
    if (payload_hash != "UNSIGNED-PAYLOAD" && payload_hash != sha256_hex(r.body)) return mismatch();
  } else {
    payload_hash = c.presigned ? "UNSIGNED-PAYLOAD" : sha256_hex(r.body);
  }
  const std::string scope = c.date + "/" + c.region + "/" + c.service + "/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + *date + "\n" + scope + "\n" + sha256_hex(canonical_request(r, c, payload_hash));
  const std::string expected = hmac_sha256_hex(signing_key(*secret, c.date, c.region, c.service), to_sign);
  // Constant time: the comparison must not tell how many leading characters matched.
  if (expected.size() != c.signature.size() ||
      CRYPTO_memcmp(expected.data(), c.signature.data(), expected.size()) != 0) {
    return mismatch();
  }
  return Status::Ok();
}

}  // namespace kinesisd::auth
