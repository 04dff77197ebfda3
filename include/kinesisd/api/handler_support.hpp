// Small helpers shared by handlers: reading normalised inputs, resolving the stream a call names, and
// building output documents.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kinesisd/api/context.hpp"
#include "kinesisd/engine/stream_meta.hpp"

namespace kinesisd::api {

std::optional<std::string> get_string(const rapidjson::Value& in, const char* key);
std::optional<int64_t> get_int(const rapidjson::Value& in, const char* key);
std::optional<bool> get_bool(const rapidjson::Value& in, const char* key);
const rapidjson::Value* get_object(const rapidjson::Value& in, const char* key);

// The stream a call names through StreamName, StreamARN and/or StreamId: InvalidArgument when none or
// conflicting ones are given, ResourceNotFound when the ARN is of another account or region, or no such stream.
using StreamRef = std::shared_ptr<const engine::StreamMeta>;
Result<StreamRef> resolve_stream(Services& services, const CallContext& ctx, const rapidjson::Value& in);

// Runs `change` on the stream `ref` names (StreamRegistry::update_stream), refusing with ResourceNotFound when that
// stream was replaced (deleted and re-created) since it was resolved.
Status update_resolved(Services& services, const CallContext& ctx, const StreamRef& ref,
                       const std::function<Status(engine::StreamMeta&)>& change);
// The stream stays UPDATING for the configured update delay.
void mark_updating(engine::StreamMeta& m, Services& services, const CallContext& ctx);
// DryRunOperationException: every check passed and, as asked, nothing was done.
Error dry_run_error();
// The answer of operations without an output.
rapidjson::Document empty_output();

// Builds an output object member by member.
class OutBuilder {
 public:
  OutBuilder(rapidjson::Value& target, rapidjson::Document::AllocatorType& alloc) : v_(target), a_(alloc) {
    if (!v_.IsObject()) v_.SetObject();
  }
  OutBuilder& str(const char* key, std::string_view value);
  OutBuilder& num(const char* key, int64_t value);
  OutBuilder& boolean(const char* key, bool value);
  OutBuilder& timestamp_ms(const char* key, int64_t ms) { return num(key, ms); }
  // Adds key: {} / key: [] and returns it for filling.
  rapidjson::Value& object(const char* key);
  rapidjson::Value& array(const char* key);
  rapidjson::Document::AllocatorType& alloc() { return a_; }

 private:
  rapidjson::Value& v_;
  rapidjson::Document::AllocatorType& a_;
};

// One shard as the Shard shape describes it.
void write_shard(const engine::ShardMeta& shard, rapidjson::Value& out, rapidjson::Document::AllocatorType& alloc);

// Opaque, expiring pagination tokens (ListStreams, ListShards): base64 of a small JSON object.
std::string make_next_token(const rapidjson::Value& fields);
// InvalidArgument when the token is not one of ours; ExpiredNextToken after `ttl_ms`.
Result<rapidjson::Document> read_next_token(const std::string& token, int64_t now_ms, int64_t ttl_ms);

}  // namespace kinesisd::api
