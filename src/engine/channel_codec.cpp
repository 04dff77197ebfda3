#include "kinesisd/engine/channel_codec.hpp"

#include "kinesisd/engine/json_fields.hpp"

namespace kinesisd::engine {
namespace {

using Writer = JsonWriter;

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
    put_tags(w, c->tags);
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
    FieldReader r(v, "channel without");
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
    if (v.HasMember("tags")) read_tags(v["tags"], c.tags);
    if (!v.HasMember("sources") || !v["sources"].IsArray()) return bad("channel without sources");
    for (const auto& sv : v["sources"].GetArray()) {
      if (!sv.IsObject()) return bad("channel source is not an object");
      FieldReader s(sv, "channel without");
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
