#include "kinesisd/api/handler_support.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "kinesisd/util/base64.hpp"

namespace kinesisd::api {

std::optional<std::string> get_string(const rapidjson::Value& in, const char* key) {
  auto it = in.FindMember(key);
  if (it == in.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<int64_t> get_int(const rapidjson::Value& in, const char* key) {
  auto it = in.FindMember(key);
  if (it == in.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

std::optional<bool> get_bool(const rapidjson::Value& in, const char* key) {
  auto it = in.FindMember(key);
  if (it == in.MemberEnd() || !it->value.IsBool()) return std::nullopt;
  return it->value.GetBool();
}

const rapidjson::Value* get_object(const rapidjson::Value& in, const char* key) {
  auto it = in.FindMember(key);
  if (it == in.MemberEnd() || !it->value.IsObject()) return nullptr;
  return &it->value;
}

Result<StreamRef> resolve_stream(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
  const auto name = get_string(in, "StreamName");
  const auto arn = get_string(in, "StreamARN");
  const auto id = get_string(in, "StreamId");
  auto& registry = *services.registry;
  std::string target;
  if (arn) {
    auto parts = engine::parse_stream_arn(*arn);
    if (!parts) return make_error(ErrorCode::kInvalidArgument, "Invalid StreamARN: " + *arn);
    if (name && *name != parts->name) {
      return make_error(ErrorCode::kInvalidArgument, "StreamARN " + *arn + " does not refer to stream " + *name + ".");
    }
    if (parts->account != registry.limits().account || parts->region != ctx.region) {
      return make_error(ErrorCode::kResourceNotFound,
                        "Stream " + parts->name + " under account " + parts->account + " not found.");
    }
    target = parts->name;
  } else if (name) {
    target = *name;
  } else {
    return make_error(ErrorCode::kInvalidArgument, "Either StreamName or StreamARN must be provided.");
  }
  auto stream = registry.find_ref(ctx.region, target, ctx.now_ms);
  if (stream && id && *id != stream.value()->stream_id) {
    return make_error(ErrorCode::kResourceNotFound, registry.not_found_message(target));
  }
  return stream;
}

Status update_resolved(Services& services, const CallContext& ctx, const StreamRef& ref,
                       const std::function<Status(engine::StreamMeta&)>& change) {
  const std::string id = ref->stream_id;
  return services.registry->update_stream(ctx.region, ref->name, ctx.now_ms, [&](engine::StreamMeta& m) -> Status {
    if (m.stream_id != id) return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message(m.name));
    return change(m);
  });
}

void mark_updating(engine::StreamMeta& m, Services& services, const CallContext& ctx) {
  m.updating_until_ms = ctx.now_ms + services.registry->limits().update_delay_ms;
}

Error dry_run_error() {
  return make_error(ErrorCode::kDryRun, "Request would have succeeded, but DryRun flag is set.");
}

rapidjson::Document empty_output() {
  rapidjson::Document d;
  d.SetObject();
  return d;
}

OutBuilder& OutBuilder::str(const char* key, std::string_view value) {
  v_.AddMember(rapidjson::Value(key, a_),
               rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), a_), a_);
  return *this;
}

OutBuilder& OutBuilder::num(const char* key, int64_t value) {
  v_.AddMember(rapidjson::Value(key, a_), rapidjson::Value(value), a_);
  return *this;
}

OutBuilder& OutBuilder::boolean(const char* key, bool value) {
  v_.AddMember(rapidjson::Value(key, a_), rapidjson::Value(value), a_);
  return *this;
}

rapidjson::Value& OutBuilder::object(const char* key) {
  v_.AddMember(rapidjson::Value(key, a_), rapidjson::Value(rapidjson::kObjectType), a_);
  return v_[key];
}

rapidjson::Value& OutBuilder::array(const char* key) {
  v_.AddMember(rapidjson::Value(key, a_), rapidjson::Value(rapidjson::kArrayType), a_);
  return v_[key];
}

void write_shard(const engine::ShardMeta& shard, rapidjson::Value& out, rapidjson::Document::AllocatorType& alloc) {
  OutBuilder b(out, alloc);
  b.str("ShardId", shard.shard_id);
  if (!shard.parent_shard_id.empty()) b.str("ParentShardId", shard.parent_shard_id);
  if (!shard.adjacent_parent_shard_id.empty()) b.str("AdjacentParentShardId", shard.adjacent_parent_shard_id);
  OutBuilder(b.object("HashKeyRange"), alloc)
      .str("StartingHashKey", to_decimal(shard.hash_range.start))
      .str("EndingHashKey", to_decimal(shard.hash_range.end));
  OutBuilder range(b.object("SequenceNumberRange"), alloc);
  range.str("StartingSequenceNumber", shard.starting_sequence_number().to_string());
  if (auto end = shard.ending_sequence_number()) range.str("EndingSequenceNumber", end->to_string());
}

std::string make_next_token(const rapidjson::Value& fields) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  fields.Accept(w);
  return base64_encode(std::string_view(buffer.GetString(), buffer.GetSize()));
}

Result<rapidjson::Document> read_next_token(const std::string& token, int64_t now_ms, int64_t ttl_ms) {
  auto invalid = [] { return make_error(ErrorCode::kInvalidArgument, "Invalid NextToken."); };
  auto json = base64_decode(token);
  if (!json) return invalid();
  rapidjson::Document doc;
  // Iterative: the token is the client's (up to 1 MiB), and recursive parsing of deeply nested arrays would
  // overflow the thread's stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(json->c_str(), json->size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("t") || !doc["t"].IsInt64()) return invalid();
  if (doc["t"].GetInt64() < now_ms - ttl_ms) {  // not now - t, which overflows for a t far in the past
    return make_error(ErrorCode::kExpiredNextToken, "The timestamp of the NextToken has expired.");
  }
  return doc;
}

}  // namespace kinesisd::api
