#include "kinesisd/engine/channel_codec.hpp"

namespace kinesisd::engine {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void put(Writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

// Reads members of one object; the first problem is kept.
struct Reader {
  const rapidjson::Value& obj;
  std::string problem;
  std::string str(const char* key, bool required = true) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) {
      if (required && problem.empty()) problem = std::string("channel without string ") + key;
      return {};
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
  }
  int64_t num(const char* key, int64_t fallback = 0, bool required = true) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsInt64()) {
      if (required && problem.empty()) problem = std::string("channel without number ") + key;
      return fallback;
    }
    return it->value.GetInt64();
  }
};

}  // namespace

void encode_channels(Writer& w, const std::vector<const ChannelMeta*>& channels) {
  w.StartArray();
  for (const ChannelMeta* c : channels) {
    w.StartObject();
    put(w, "name", c->name);
    put(w, "region", c->region);
    put(w, "id", c->channel_id);
    put(w, "created", c->created_ms);
    put(w, "readyAt", c->ready_at_ms);
    put(w, "updatingUntil", c->updating_until_ms);
    put(w, "deleteAt", c->delete_at_ms);
    put(w, "role", c->role_arn);
    w.Key("sources");
    w.StartArray();
    for (const auto& s : c->sources) {
      w.StartObject();
      put(w, "stream", s.stream_name);
      put(w, "streamId", s.stream_id);
      put(w, "streamCreated", s.stream_created_ms);
      put(w, "format", s.record_format);
      if (!s.gsr_schema_arn.empty()) put(w, "schema", s.gsr_schema_arn);
      w.EndObject();
    }
    w.EndArray();
    put(w, "freshness", c->freshness_seconds);
    put(w, "bucket", c->bucket_arn);
    put(w, "bucketOwner", c->bucket_owner);
    put(w, "keyTemplate", c->key_template);
    put(w, "storageClass", c->storage_class);
    put(w, "compression", c->compression);
    put(w, "dlqBucket", c->dlq_bucket_arn);
    put(w, "dlqOwner", c->dlq_owner);
    put(w, "dlqPrefix", c->dlq_prefix);
    if (!c->kms_key_id.empty()) put(w, "keyId", c->kms_key_id);
    w.Key("logging");
    w.Bool(c->logging_enabled);
    if (!c->log_group.empty()) put(w, "logGroup", c->log_group);
    if (!c->log_stream.empty()) put(w, "logStream", c->log_stream);
    w.Key("tags");
    w.StartObject();
    for (const auto& [k, v] : c->tags) {
      w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
}

Result<std::vector<ChannelMeta>> decode_channels(const rapidjson::Value& array) {
  auto bad = [](const std::string& why) { return make_error(ErrorCode::kInvalidArgument, why); };
  if (!array.IsArray()) return bad("channels are not an array");
  std::vector<ChannelMeta> out;
  for (const auto& v : array.GetArray()) {
    if (!v.IsObject()) return bad("channel is not an object");
    Reader r{v, {}};
    ChannelMeta c;
    c.name = r.str("name");
    c.region = r.str("region");
    c.channel_id = r.str("id");
    c.created_ms = r.num("created");
    c.ready_at_ms = r.num("readyAt");
    c.updating_until_ms = r.num("updatingUntil");
    c.delete_at_ms = r.num("deleteAt");
    c.role_arn = r.str("role");
    c.freshness_seconds = r.num("freshness", kDefaultDataFreshnessSeconds);
    c.bucket_arn = r.str("bucket");
    c.bucket_owner = r.str("bucketOwner");
    c.key_template = r.str("keyTemplate");
    c.storage_class = r.str("storageClass");
    c.compression = r.str("compression");
    c.dlq_bucket_arn = r.str("dlqBucket");
    c.dlq_owner = r.str("dlqOwner");
    c.dlq_prefix = r.str("dlqPrefix");
    c.kms_key_id = r.str("keyId", false);
    c.log_group = r.str("logGroup", false);
    c.log_stream = r.str("logStream", false);
    if (v.HasMember("logging") && v["logging"].IsBool()) c.logging_enabled = v["logging"].GetBool();
    if (v.HasMember("tags") && v["tags"].IsObject()) {
      for (auto it = v["tags"].MemberBegin(); it != v["tags"].MemberEnd(); ++it)
        if (it->value.IsString())
          c.tags[std::string(it->name.GetString(), it->name.GetStringLength())] =
              std::string(it->value.GetString(), it->value.GetStringLength());
    }
    if (!v.HasMember("sources") || !v["sources"].IsArray()) return bad("channel without sources");
    for (const auto& sv : v["sources"].GetArray()) {
      if (!sv.IsObject()) return bad("channel source is not an object");
      Reader s{sv, {}};
      ChannelSource source;
      source.stream_name = s.str("stream");
      source.stream_id = s.str("streamId");
      source.stream_created_ms = s.num("streamCreated");
      source.record_format = s.str("format");
      source.gsr_schema_arn = s.str("schema", false);
      if (!s.problem.empty()) return bad(s.problem);
      c.sources.push_back(std::move(source));
    }
    if (!r.problem.empty()) return bad(r.problem);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace kinesisd::engine
