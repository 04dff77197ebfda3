// CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams.
#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/resources.hpp"
#include "kinesisd/util/async.hpp"

namespace kinesisd::api {
namespace {

constexpr int64_t kDescribeStreamDefaultLimit = 100;
constexpr int64_t kListStreamsDefaultLimit = 100;
constexpr int64_t kNextTokenTtlMs = 300'000;

void write_common(const engine::StreamMeta& s, int64_t now, OutBuilder& b) {
  b.str("StreamName", s.name);
  b.str("StreamARN", s.arn());
  b.str("StreamStatus", engine::to_string(s.status(now)));
  OutBuilder(b.object("StreamModeDetails"), b.alloc()).str("StreamMode", engine::to_string(s.mode));
  b.num("RetentionPeriodHours", s.retention_hours);
  b.timestamp_ms("StreamCreationTimestamp", s.created_ms);
  auto& monitoring = b.array("EnhancedMonitoring");
  rapidjson::Value metrics(rapidjson::kObjectType);
  auto& list = OutBuilder(metrics, b.alloc()).array("ShardLevelMetrics");
  for (const auto& m : s.shard_level_metrics) list.PushBack(rapidjson::Value(m.c_str(), b.alloc()), b.alloc());
  monitoring.PushBack(metrics, b.alloc());
  b.str("EncryptionType", s.encryption_type);
  if (!s.key_id.empty()) b.str("KeyId", s.key_id);
}

}  // namespace

KINESISD_HANDLER(create_stream) {
  engine::CreateStreamRequest req;
  req.name = *get_string(in, "StreamName");
  req.shard_count = get_int(in, "ShardCount");
  if (const auto* mode = get_object(in, "StreamModeDetails")) {
    if (get_string(*mode, "StreamMode") == "ON_DEMAND") req.mode = engine::StreamMode::kOnDemand;
  }
  if (const auto* tags = get_object(in, "Tags")) {
    for (auto it = tags->MemberBegin(); it != tags->MemberEnd(); ++it) {
      req.tags[std::string(it->name.GetString(), it->name.GetStringLength())] =
          it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : "";
    }
  }
  // Tags on creation follow AddTagsToStream's rules (AWS requires kinesis:AddTagsToStream for them).
  if (auto s = check_tags_to_add("stream " + req.name, services.registry->limits().account, req.tags); !s) co_return s.error();
  if (auto s = check_tag_count("stream " + req.name, services.registry->limits().account, req.tags); !s) co_return s.error();
  req.max_record_size_kib = get_int(in, "MaxRecordSizeInKiB");
  req.warm_throughput_mibps = get_int(in, "WarmThroughputMiBps");
  req.record_distribution = get_string(in, "RecordDistributionStrategy").value_or("USER_PARTITION_KEY");
  if (auto s = services.registry->create_stream(ctx.region, req, ctx.now_ms); !s) co_return s.error();
  if (auto s = co_await services.catalog->persist(); !s) co_return s.error();
  auto created = services.registry->find_ref(ctx.region, req.name, ctx.now_ms);
  if (!created) co_return created.error();
  auto& data = *services.data;
  const engine::StreamMeta& meta = *created.value();
  if (auto s = co_await run_on<Status>(services.storage, [&data, &meta] { return data.open_stream(meta); }); !s) {
    co_return s.error();
  }
  co_return empty_output();
}

KINESISD_HANDLER(delete_stream) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  // Registered consumers block the deletion unless the caller asks for them to go with the stream.
  if ((*stream)->live_consumer_count(ctx.now_ms) > 0 && !get_bool(in, "EnforceConsumerDeletion").value_or(false)) {
    co_return make_error(ErrorCode::kResourceInUse,
                         "Stream " + (*stream)->name + " under account " + (*stream)->account +
                             " has registered consumers. Deregister them, or set EnforceConsumerDeletion.");
  }
  if (auto s = services.registry->delete_stream(ctx.region, (*stream)->name, ctx.now_ms); !s) co_return s.error();
  if (auto s = co_await services.catalog->persist(); !s) co_return s.error();
  co_return empty_output();
}

KINESISD_HANDLER(describe_stream) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  const int64_t limit = get_int(in, "Limit").value_or(kDescribeStreamDefaultLimit);
  const auto start_after = get_string(in, "ExclusiveStartShardId");

  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out.AddMember("StreamDescription", rapidjson::Value(rapidjson::kObjectType), out.GetAllocator())
                   ["StreamDescription"],
               out.GetAllocator());
  write_common(s, ctx.now_ms, b);
  auto& shards = b.array("Shards");
  bool more = false;
  // AWS lists no shards while a stream is CREATING.
  if (s.status(ctx.now_ms) != engine::StreamStatus::kCreating) {
    int64_t n = 0;
    for (const auto& shard : s.shards) {
      if (start_after && shard.shard_id <= *start_after) continue;
      if (n == limit) {
        more = true;
        break;
      }
      rapidjson::Value v(rapidjson::kObjectType);
      write_shard(shard, v, out.GetAllocator());
      shards.PushBack(v, out.GetAllocator());
      ++n;
    }
  }
  b.boolean("HasMoreShards", more);
  co_return out;
}

KINESISD_HANDLER(describe_stream_summary) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out.AddMember("StreamDescriptionSummary", rapidjson::Value(rapidjson::kObjectType),
                             out.GetAllocator())["StreamDescriptionSummary"],
               out.GetAllocator());
  write_common(s, ctx.now_ms, b);
  b.str("StreamId", s.stream_id);
  b.num("OpenShardCount", static_cast<int64_t>(s.open_shard_count()));
  b.num("ConsumerCount", static_cast<int64_t>(s.live_consumer_count(ctx.now_ms)));
  b.num("ChannelCount", static_cast<int64_t>(services.registry->stream_channel_count(ctx.region, s.name, ctx.now_ms)));
  b.num("MaxRecordSizeInKiB", s.max_record_size_kib);
  b.str("RecordDistributionStrategy", s.record_distribution);
  if (s.warm_throughput_mibps) {
    OutBuilder(b.object("WarmThroughput"), b.alloc())
        .num("TargetMiBps", *s.warm_throughput_mibps)
        .num("CurrentMiBps", *s.warm_throughput_mibps);
  }
  co_return out;
}

KINESISD_HANDLER(list_streams) {
  const int64_t limit = get_int(in, "Limit").value_or(kListStreamsDefaultLimit);
  auto start_after = get_string(in, "ExclusiveStartStreamName");
  if (auto token = get_string(in, "NextToken")) {
    auto fields = read_next_token(*token, ctx.now_ms, kNextTokenTtlMs);
    if (!fields) co_return fields.error();
    const rapidjson::Document& f = fields.value();
    if (!f.HasMember("after") || !f["after"].IsString() || !f.HasMember("r") || !f["r"].IsString() ||
        ctx.region != f["r"].GetString()) {
      co_return make_error(ErrorCode::kInvalidArgument, "Invalid NextToken.");
    }
    start_after = std::string(f["after"].GetString(), f["after"].GetStringLength());
  }
  const auto streams = services.registry->list(ctx.region, ctx.now_ms);
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  auto& names = b.array("StreamNames");
  auto& summaries = b.array("StreamSummaries");
  bool more = false;
  std::string last;
  for (const auto& s : streams) {
    if (start_after && s.name <= *start_after) continue;
    if (static_cast<int64_t>(names.Size()) == limit) {
      more = true;
      break;
    }
    names.PushBack(rapidjson::Value(s.name.c_str(), alloc), alloc);
    rapidjson::Value summary(rapidjson::kObjectType);
    OutBuilder sb(summary, alloc);
    sb.str("StreamName", s.name).str("StreamARN", s.arn()).str("StreamStatus", engine::to_string(s.status(ctx.now_ms)));
    OutBuilder(sb.object("StreamModeDetails"), alloc).str("StreamMode", engine::to_string(s.mode));
    sb.timestamp_ms("StreamCreationTimestamp", s.created_ms);
    summaries.PushBack(summary, alloc);
    last = s.name;
  }
  b.boolean("HasMoreStreams", more);
  if (more) {
    rapidjson::Document token(rapidjson::kObjectType);
    OutBuilder(token, token.GetAllocator()).str("after", last).str("r", ctx.region).num("t", ctx.now_ms);
    b.str("NextToken", make_next_token(token));
  }
  co_return out;
}

}  // namespace kinesisd::api
