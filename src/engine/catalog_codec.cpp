#include "kinesisd/engine/catalog_codec.hpp"

#include "kinesisd/engine/json_fields.hpp"

#include "kinesisd/engine/channel_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace kinesisd::engine {
namespace {

constexpr int kFormatVersion = 1;
using Writer = JsonWriter;

void encode_shard(Writer& w, const ShardMeta& s) {
  w.StartObject();
  put(w, "id", s.shard_id);
  put(w, "index", static_cast<int64_t>(s.index));
  put(w, "start", to_decimal(s.hash_range.start));
  put(w, "end", to_decimal(s.hash_range.end));
  put(w, "parent", s.parent_shard_id);
  put(w, "adjacent", s.adjacent_parent_shard_id);
  put(w, "created", s.created_ms);
  put(w, "closed", s.closed_ms);
  if (s.end_position) put(w, "endPos", static_cast<int64_t>(*s.end_position));
  w.EndObject();
}

void encode_stream(Writer& w, const StreamMeta& s) {
  w.StartObject();
  put(w, "name", s.name);
  put(w, "region", s.region);
  put(w, "id", s.stream_id);
  put(w, "created", s.created_ms);
  put(w, "readyAt", s.ready_at_ms);
  put(w, "updatingUntil", s.updating_until_ms);
  put(w, "deleteAt", s.delete_at_ms);
  put(w, "mode", std::string(to_string(s.mode)));
  put(w, "retentionHours", s.retention_hours);
  put(w, "maxRecordKiB", s.max_record_size_kib);
  if (s.warm_throughput_mibps) put(w, "warmMiBps", *s.warm_throughput_mibps);
  put(w, "encryption", s.encryption_type);
  put(w, "distribution", s.record_distribution);
  put(w, "policy", s.resource_policy);
  put(w, "keyId", s.key_id);
  put(w, "nextShardIndex", static_cast<int64_t>(s.next_shard_index));
  w.Key("dailyQuotaCalls");
  w.StartObject();
  for (const auto& [operation, times] : s.daily_quota_calls) {
    w.Key(operation.c_str());
    w.StartArray();
    for (int64_t t : times) w.Int64(t);
    w.EndArray();
  }
  w.EndObject();
  w.Key("metrics");
  w.StartArray();
  for (const auto& m : s.shard_level_metrics) w.String(m.c_str());
  w.EndArray();
  put_tags(w, s.tags);
  w.Key("shards");
  w.StartArray();
  for (const auto& shard : s.shards) encode_shard(w, shard);
  w.EndArray();
  w.Key("consumers");
  w.StartArray();
  for (const auto& c : s.consumers) {
    w.StartObject();
    put(w, "name", c.name);
    put(w, "created", c.created_ms);
    put(w, "readyAt", c.ready_at_ms);
    put(w, "deleteAt", c.delete_at_ms);
    if (!c.resource_policy.empty()) put(w, "policy", c.resource_policy);
    if (!c.tags.empty()) put_tags(w, c.tags);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string encode_catalog(const std::vector<const StreamMeta*>& streams,
                           const std::map<std::string, AccountSettings>& accounts,
                           const std::vector<const ChannelMeta*>& channels) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  put(w, "format", kFormatVersion);
  w.Key("accounts");
  w.StartObject();
  for (const auto& [region, a] : accounts) {
    w.Key(region.c_str());
    w.StartObject();
    put(w, "commitment", a.commitment_status);
    put(w, "startedAt", a.commitment_started_ms);
    put(w, "endedAt", a.commitment_ended_ms);
    put(w, "earliestEndAt", a.commitment_earliest_end_ms);
    w.EndObject();
  }
  w.EndObject();
  w.Key("streams");
  w.StartArray();
  for (const auto* s : streams) encode_stream(w, *s);
  w.EndArray();
  w.Key("channels");
  encode_channels(w, channels);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::vector<StreamMeta>> decode_catalog(const std::string& json,
                                               std::map<std::string, AccountSettings>* accounts,
                                               std::vector<ChannelMeta>* channels) {
  auto bad = [](std::string why) { return make_error(ErrorCode::kInvalidArgument, "catalog: " + why); };
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return bad("not a JSON object");
  if (!doc.HasMember("format") || !doc["format"].IsInt() || doc["format"].GetInt() != kFormatVersion)
    return bad("unknown format version");
  if (!doc.HasMember("streams") || !doc["streams"].IsArray()) return bad("no streams array");
  if (accounts && doc.HasMember("accounts") && doc["accounts"].IsObject()) {
    for (auto it = doc["accounts"].MemberBegin(); it != doc["accounts"].MemberEnd(); ++it) {
      if (!it->value.IsObject()) return bad("account settings are not an object");
      FieldReader r(it->value, "missing");
      AccountSettings a;
      a.commitment_status = r.str("commitment");
      a.commitment_started_ms = r.num("startedAt");
      a.commitment_ended_ms = r.num("endedAt");
      a.commitment_earliest_end_ms = r.num("earliestEndAt");
      if (!r.problem.empty()) return bad(r.problem);
      (*accounts)[it->name.GetString()] = a;
    }
  }
  if (channels) channels->clear();
  if (channels && doc.HasMember("channels")) {
    auto decoded = decode_channels(doc["channels"]);
    if (!decoded) return bad(decoded.error().message);
    *channels = std::move(decoded.value());
  }
  std::vector<StreamMeta> out;
  for (const auto& sv : doc["streams"].GetArray()) {
    if (!sv.IsObject()) return bad("stream is not an object");
    FieldReader r(sv, "missing");
    StreamMeta s;
    s.name = r.str("name");
    s.region = r.str("region");
    s.stream_id = r.str("id");
    s.created_ms = r.num("created");
    s.ready_at_ms = r.num("readyAt");
    s.updating_until_ms = r.num("updatingUntil");
    s.delete_at_ms = r.num("deleteAt");
    s.mode = r.str("mode") == "ON_DEMAND" ? StreamMode::kOnDemand : StreamMode::kProvisioned;
    s.retention_hours = static_cast<int>(r.num("retentionHours"));
    s.max_record_size_kib = static_cast<int>(r.num("maxRecordKiB"));
    if (sv.HasMember("warmMiBps")) s.warm_throughput_mibps = r.num("warmMiBps");
    s.encryption_type = r.str("encryption");
    s.key_id = r.str("keyId");
    if (sv.HasMember("distribution")) s.record_distribution = r.str("distribution");
    if (sv.HasMember("policy")) s.resource_policy = r.str("policy");
    s.next_shard_index = static_cast<uint64_t>(r.num("nextShardIndex"));
    if (sv.HasMember("dailyQuotaCalls") && sv["dailyQuotaCalls"].IsObject()) {
      for (auto it = sv["dailyQuotaCalls"].MemberBegin(); it != sv["dailyQuotaCalls"].MemberEnd(); ++it) {
        if (!it->value.IsArray()) continue;
        auto& times = s.daily_quota_calls[it->name.GetString()];
        for (const auto& t : it->value.GetArray())
          if (t.IsInt64()) times.push_back(t.GetInt64());
      }
    }
    if (sv.HasMember("metrics") && sv["metrics"].IsArray())
      for (const auto& m : sv["metrics"].GetArray())
        if (m.IsString()) s.shard_level_metrics.emplace_back(m.GetString());
    if (sv.HasMember("tags")) read_tags(sv["tags"], s.tags);
    if (!sv.HasMember("shards") || !sv["shards"].IsArray()) return bad("stream without shards");
    for (const auto& hv : sv["shards"].GetArray()) {
      if (!hv.IsObject()) return bad("shard is not an object");
      FieldReader h(hv, "missing");
      ShardMeta shard;
      shard.shard_id = h.str("id");
      shard.index = static_cast<uint64_t>(h.num("index"));
      auto start = parse_decimal_u128(h.str("start"));
      auto end = parse_decimal_u128(h.str("end"));
      if (!start || !end) return bad("shard hash range unreadable");
      shard.hash_range = {*start, *end};
      shard.parent_shard_id = h.str("parent");
      shard.adjacent_parent_shard_id = h.str("adjacent");
      shard.created_ms = h.num("created");
      shard.closed_ms = h.num("closed");
      if (hv.HasMember("endPos")) shard.end_position = static_cast<uint64_t>(h.num("endPos"));
      if (!h.problem.empty()) return bad(h.problem);
      s.shards.push_back(std::move(shard));
    }
    if (sv.HasMember("consumers") && sv["consumers"].IsArray()) {
      for (const auto& cv : sv["consumers"].GetArray()) {
        if (!cv.IsObject()) return bad("consumer is not an object");
        FieldReader c(cv, "missing");
        ConsumerMeta consumer;
        consumer.name = c.str("name");
        consumer.created_ms = c.num("created");
        consumer.ready_at_ms = c.num("readyAt");
        consumer.delete_at_ms = c.num("deleteAt");
        if (cv.HasMember("policy")) consumer.resource_policy = c.str("policy");
        if (cv.HasMember("tags")) read_tags(cv["tags"], consumer.tags);
        if (!c.problem.empty()) return bad(c.problem);
        s.consumers.push_back(std::move(consumer));
      }
    }
    if (!r.problem.empty()) return bad(r.problem);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace kinesisd::engine
