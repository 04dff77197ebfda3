#include "kinesisd/api/kms_key.hpp"

#include <cctype>
#include <string_view>

namespace kinesisd::api {
namespace {

constexpr size_t kMaxAliasNameBytes = 256;  // KMS's AliasName limit

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_alias_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '_' || c == '-' || c == ':';
}

// A KMS key id: a UUID (12345678-1234-1234-1234-123456789012) or a multi-Region key id (mrk-<32 hex>).
bool is_key_uuid(std::string_view s) {
  if (s.starts_with("mrk-")) return s.size() == 4 + 32 && all_of(s.substr(4), is_hex);
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// alias/<name>: KMS's alias pattern, within its length limit.
bool is_alias(std::string_view s) {
  return s.starts_with("alias/") && s.size() > 6 && s.size() <= kMaxAliasNameBytes &&
         all_of(s.substr(6), is_alias_char);
}

// An ARN arn:<partition>:kms:<region>:<account>:<resource>; fills region and resource.
bool parse_kms_arn(std::string_view s, std::string_view* region, std::string_view* resource) {
  std::string_view parts[5];
  for (auto& part : parts) {
    const size_t colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    part = s.substr(0, colon);
    s.remove_prefix(colon + 1);
  }
  const bool partition_ok = parts[1] == "aws" || (parts[1].starts_with("aws-") && parts[1].size() > 4);
  if (parts[0] != "arn" || !partition_ok || parts[2] != "kms" || parts[3].empty() || parts[4].size() != 12 ||
      !all_of(parts[4], is_digit)) {
    return false;
  }
  *region = parts[3];
  *resource = s;
  return true;
}

}  // namespace

Status check_key_id(const std::string& key_id, const std::string& region, ErrorCode not_found) {
  bool ok = false;
  std::string_view arn_region, resource;
  if (parse_kms_arn(key_id, &arn_region, &resource)) {
    ok = arn_region == region &&
         ((resource.starts_with("key/") && is_key_uuid(resource.substr(4))) || is_alias(resource));
  } else {
    ok = is_key_uuid(key_id) || is_alias(key_id);
  }
  if (ok) return Status::Ok();
  return make_error(not_found, "Invalid keyId " + key_id);
}

bool is_kinesis_service_key(const std::string& key_id) {
  return key_id == "alias/aws/kinesis" ||
         (key_id.starts_with("arn:") && key_id.ends_with(":alias/aws/kinesis"));
}

}  // namespace kinesisd::api
