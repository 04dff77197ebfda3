// StartStreamEncryption, StopStreamEncryption.
//
// The setting (EncryptionType, KeyId) lives in the stream's catalog entry; the data plane stores records
// written while it is KMS encrypted at rest (engine/record_cipher, docs/log-format.md). Like the other stream
// settings, a change needs an ACTIVE stream, puts it in UPDATING for the configured delay and is on disk
// before the answer. There is no KMS behind this server: every well-formed key id is a key (see
// docs/architecture.md, "Encryption at rest").
#include <cctype>
#include <functional>
#include <string_view>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/settings_support.hpp"

namespace kinesisd::api {
namespace {

constexpr size_t kMaxAliasNameBytes = 256;  // KMS's AliasName limit

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
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
  return s.starts_with("alias/") && s.size() > 6 && s.size() <= kMaxAliasNameBytes && all_of(s.substr(6), is_alias_char);
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

// The key ids StartStreamEncryption documents: a key ARN, an alias ARN, a key id, an alias name (including
// the Kinesis-owned alias/aws/kinesis). Anything else names no key KMS could find; so does an ARN of another
// region (KMS keys are regional): KMS's NotFoundException text, as KMSNotFoundException where the operation
// has it (StartStreamEncryption) and InvalidArgumentException where it has no KMS errors (StopStreamEncryption).
Status check_key_id(const std::string& key_id, const std::string& region, ErrorCode not_found) {
  bool ok = false;
  std::string_view arn_region, resource;
  if (parse_kms_arn(key_id, &arn_region, &resource)) {
    ok = arn_region == region && ((resource.starts_with("key/") && is_key_uuid(resource.substr(4))) ||
                                  is_alias(resource));
  } else {
    ok = is_key_uuid(key_id) || is_alias(key_id);
  }
  if (ok) return Status::Ok();
  return make_error(not_found, "Invalid keyId " + key_id);
}

// Only KMS can be started or stopped; AWS's text for NONE (terraform-provider-aws records it).
Status check_encryption_type(const rapidjson::Value& in) {
  if (get_string(in, "EncryptionType") == "KMS") return Status::Ok();
  return make_error(ErrorCode::kInvalidArgument, "Encryption type cannot be NONE.");
}

}  // namespace

// Starts encryption, or moves it to another key. Asking for the key the stream already uses changes nothing.
KINESISD_HANDLER(start_stream_encryption) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  if (auto ok = check_encryption_type(in); !ok) co_return ok.error();
  const std::string key_id = *get_string(in, "KeyId");
  if (auto ok = check_key_id(key_id, ctx.region, ErrorCode::kKmsNotFound); !ok) co_return ok.error();
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    if (m.encryption_type == "KMS" && m.key_id == key_id) return Status::Ok();
    if (!m.take_daily_quota("StartStreamEncryption", 25, ctx.now_ms)) {
      return make_error(ErrorCode::kLimitExceeded, "StartStreamEncryption can be called at most 25 times in a "
                                                   "rolling 24-hour period for stream " + m.name + " under account " +
                                                   m.account + ".");
    }
    m.encryption_type = "KMS";
    m.key_id = key_id;
    mark_updating(m, services, ctx);
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

// Stops encryption. The KeyId must be the one the stream is encrypted with (callers pass the current key, as
// terraform-provider-aws does); a stream that is not encrypted stays as it is.
KINESISD_HANDLER(stop_stream_encryption) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  if (auto ok = check_encryption_type(in); !ok) co_return ok.error();
  const std::string key_id = *get_string(in, "KeyId");
  if (auto ok = check_key_id(key_id, ctx.region, ErrorCode::kInvalidArgument); !ok) co_return ok.error();
  auto s = update_resolved(services, ctx, *stream, [&](engine::StreamMeta& m) -> Status {
    if (auto active = require_active(m, ctx.now_ms); !active) return active;
    if (m.encryption_type != "KMS") return Status::Ok();
    if (m.key_id != key_id) {
      return make_error(ErrorCode::kInvalidArgument, "KeyId " + key_id + " does not match the key stream " + m.name +
                                                         " under account " + m.account + " is encrypted with.");
    }
    if (!m.take_daily_quota("StopStreamEncryption", 25, ctx.now_ms)) {
      return make_error(ErrorCode::kLimitExceeded, "StopStreamEncryption can be called at most 25 times in a "
                                                   "rolling 24-hour period for stream " + m.name + " under account " +
                                                   m.account + ".");
    }
    m.encryption_type = "NONE";
    m.key_id.clear();
    mark_updating(m, services, ctx);
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

}  // namespace kinesisd::api
