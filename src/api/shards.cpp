// ListShards.
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"

namespace kinesisd::api {
namespace {

constexpr int64_t kListShardsDefaultLimit = 1000;
constexpr int64_t kNextTokenTtlMs = 300'000;

struct ShardFilter {
  std::string type;  // empty: every shard
  std::string shard_id;
  int64_t timestamp_ms = 0;
};

// A shard at the root of the retained topology: none of its parents is still kept. Such a shard holds the
// stream's oldest records, so it counts as open from the trim horizon on.
bool is_root(const engine::ShardMeta& shard, const engine::StreamMeta& s) {
  for (const auto& other : s.shards)
    if (other.shard_id == shard.parent_shard_id || other.shard_id == shard.adjacent_parent_shard_id) return false;
  return true;
}

// Whether `shard` was open at `ms`.
bool open_at(const engine::ShardMeta& shard, const engine::StreamMeta& s, int64_t ms) {
  const bool existed = shard.created_ms <= ms || is_root(shard, s);
  return existed && (shard.is_open() || shard.closed_ms > ms);
}

// Whether `shard` belongs in a ListShards answer under `filter`, as AWS documents the filter types:
// AT_TRIM_HORIZON, the shards open at the trim horizon; FROM_TRIM_HORIZON, every retained shard; AT_LATEST, the
// open shards; AT_TIMESTAMP, the shards open at the time; FROM_TIMESTAMP, those open at or after it.
bool passes(const engine::ShardMeta& shard, const engine::StreamMeta& s, const ShardFilter& f) {
  if (f.type.empty() || f.type == "FROM_TRIM_HORIZON") return true;
  if (f.type == "AFTER_SHARD_ID") return shard.shard_id > f.shard_id;
  if (f.type == "AT_TRIM_HORIZON") return is_root(shard, s);
  if (f.type == "AT_LATEST") return shard.is_open();
  if (f.type == "AT_TIMESTAMP") return open_at(shard, s, f.timestamp_ms);
  if (f.type == "FROM_TIMESTAMP") return shard.is_open() || shard.closed_ms > f.timestamp_ms;
  return true;
}

}  // namespace

KINESISD_HANDLER(list_shards) {
  const auto token = get_string(in, "NextToken");
  const bool names_stream = in.HasMember("StreamName") || in.HasMember("StreamARN");
  if (token && names_stream) {
    co_return make_error(ErrorCode::kInvalidArgument, "NextToken and StreamName cannot be provided together.");
  }
  if (!token && !names_stream) {
    co_return make_error(ErrorCode::kInvalidArgument, "Either NextToken or StreamName should be provided.");
  }
  const int64_t limit = get_int(in, "MaxResults").value_or(kListShardsDefaultLimit);
  std::optional<std::string> start_after = get_string(in, "ExclusiveStartShardId");
  ShardFilter filter;
  Result<StreamRef> stream = make_error(ErrorCode::kInternal, "");
  if (token) {
    if (start_after) {
      co_return make_error(ErrorCode::kInvalidArgument,
                           "NextToken and ExclusiveStartShardId cannot be provided together.");
    }
    auto fields = read_next_token(*token, ctx.now_ms, kNextTokenTtlMs);
    if (!fields) co_return fields.error();
    auto& f = fields.value();
    const bool shaped = f.HasMember("s") && f["s"].IsString() && f.HasMember("after") && f["after"].IsString() &&
                        f.HasMember("c") && f["c"].IsInt64() && f.HasMember("ft") && f["ft"].IsString() &&
                        f.HasMember("fs") && f["fs"].IsString() && f.HasMember("fts") && f["fts"].IsInt64() &&
                        f.HasMember("r") && f["r"].IsString();
    if (!shaped || ctx.region != f["r"].GetString()) co_return make_error(ErrorCode::kInvalidArgument, "Invalid NextToken.");
    stream = services.registry->find_ref(ctx.region, f["s"].GetString(), ctx.now_ms);
    if (!stream) co_return stream.error();
    if ((*stream)->created_ms != f["c"].GetInt64()) {
      co_return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message((*stream)->name));
    }
    start_after = f["after"].GetString();
    filter = {f["ft"].GetString(), f["fs"].GetString(), f["fts"].GetInt64()};
  } else {
    stream = resolve_stream(services, ctx, in);
    if (!stream) co_return stream.error();
    if (auto created = get_int(in, "StreamCreationTimestamp"); created && *created != (*stream)->created_ms) {
      // The stream of that name is a later one than the caller asked about.
      co_return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message((*stream)->name));
    }
    if (const auto* f = get_object(in, "ShardFilter")) {
      filter.type = get_string(*f, "Type").value_or("");
      filter.shard_id = get_string(*f, "ShardId").value_or("");
      const auto ts = get_int(*f, "Timestamp");
      if (filter.type == "AFTER_SHARD_ID" && filter.shard_id.empty()) {
        co_return make_error(ErrorCode::kInvalidArgument, "ShardId must be provided for ShardFilter type AFTER_SHARD_ID.");
      }
      if ((filter.type == "AT_TIMESTAMP" || filter.type == "FROM_TIMESTAMP") && !ts) {
        co_return make_error(ErrorCode::kInvalidArgument,
                             "Timestamp must be provided for ShardFilter type " + filter.type + ".");
      }
      if (filter.type != "AFTER_SHARD_ID" && !filter.shard_id.empty()) {
        co_return make_error(ErrorCode::kInvalidArgument,
                             "ShardId can only be provided for ShardFilter type AFTER_SHARD_ID.");
      }
      filter.timestamp_ms = ts.value_or(0);
    }
  }
  const auto& s = *stream.value();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  auto& shards = b.array("Shards");
  bool more = false;
  std::string last;
  if (s.status(ctx.now_ms) != engine::StreamStatus::kCreating) {
    for (const auto& shard : s.shards) {
      if (start_after && shard.shard_id <= *start_after) continue;
      if (!passes(shard, s, filter)) continue;
      if (static_cast<int64_t>(shards.Size()) == limit) {
        more = true;
        break;
      }
      rapidjson::Value v(rapidjson::kObjectType);
      write_shard(shard, v, alloc);
      shards.PushBack(v, alloc);
      last = shard.shard_id;
    }
  }
  if (more) {
    rapidjson::Document t(rapidjson::kObjectType);
    OutBuilder(t, t.GetAllocator())
        .str("s", s.name)
        .str("r", ctx.region)
        .num("c", s.created_ms)
        .str("after", last)
        .str("ft", filter.type)
        .str("fs", filter.shard_id)
        .num("fts", filter.timestamp_ms)
        .num("t", ctx.now_ms);
    b.str("NextToken", make_next_token(t));
  }
  co_return out;
}

}  // namespace kinesisd::api
