// StartStreamEncryption, StopStreamEncryption.
//
// The setting (EncryptionType, KeyId) lives in the stream's catalog entry; the data plane stores records
// written while it is KMS encrypted at rest (engine/record_cipher, docs/log-format.md). Like the other stream
// settings, a change needs an ACTIVE stream, puts it in UPDATING for the configured delay and is on disk
// before the answer. There is no KMS behind this server: every well-formed key id is a key (see
// docs/architecture.md, "Encryption at rest").
#include <functional>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/kms_key.hpp"
#include "kinesisd/api/settings_support.hpp"

namespace kinesisd::api {
namespace {

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
