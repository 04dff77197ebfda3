#include "kinesisd/api/channel_support.hpp"

#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/kms_key.hpp"
#include "kinesisd/api/resources.hpp"
#include "kinesisd/engine/channel_output.hpp"
#include "kinesisd/util/ids.hpp"

namespace kinesisd::api {
namespace {

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// AWS's defaults for CloudWatch Logs (CloudWatchLogs shape documentation).
std::string default_log_group(const engine::ChannelMeta& c) {
  return "/aws/kinesis/" + c.name + "/" + c.channel_id;
}
constexpr const char* kDefaultLogStream = "DestinationDelivery";

Status read_source(Services& services, const CallContext& ctx, const rapidjson::Value& list,
                   engine::ChannelMeta& c) {
  // AWS: "Currently, one stream is supported per channel." (Streams per delivery: 1, not adjustable.)
  if (list.Size() != 1) {
    return invalid("StreamConfigurationList has " + std::to_string(list.Size()) +
                   " streams. Currently, one stream is supported per channel.");
  }
  const auto& item = list[0];
  const std::string arn = *get_string(item, "StreamARN");
  auto parts = engine::parse_stream_arn(arn);
  if (!parts) return invalid("Invalid StreamARN: " + arn);
  const std::string& account = services.registry->limits().account;
  if (parts->account != account || parts->region != ctx.region) {
    return make_error(ErrorCode::kResourceNotFound,
                      "Stream " + parts->name + " under account " + parts->account + " not found.");
  }
  engine::ChannelSource source;
  source.stream_name = parts->name;
  const auto* record = get_object(item, "RecordConfiguration");
  source.record_format = *get_string(*record, "RecordFormatType");
  source.gsr_schema_arn = get_string(*record, "GSRSchemaARN").value_or("");
  // AWS: GSR_JSON is "Supported only for streaming table (Amazon S3 Tables) destinations".
  if (source.record_format == "GSR_JSON") {
    return invalid(
        "RecordFormatType GSR_JSON is only supported for streaming table (Amazon S3 Tables) "
        "destinations. Use JSON, STRING or BYTE_ARRAY for a general purpose Amazon S3 bucket.");
  }
  c.sources.push_back(std::move(source));
  return Status::Ok();
}

Status read_s3_destination(const rapidjson::Value& s3, engine::ChannelMeta& c) {
  if (auto freshness = get_int(s3, "DataFreshnessInSeconds")) {
    if (auto ok = check_data_freshness(*freshness); !ok) return ok;
    c.freshness_seconds = *freshness;
  }
  const auto& storage = *get_object(s3, "StorageConfiguration");
  c.bucket_arn = *get_string(storage, "BucketARN");
  c.bucket_owner = *get_string(storage, "ExpectedBucketOwner");
  c.compression = *get_string(storage, "CompressionType");
  c.storage_class = get_string(storage, "StorageClass").value_or("STANDARD");
  c.key_template = get_string(storage, "OutputKeyTemplate").value_or(engine::kDefaultOutputKeyTemplate);
  if (auto ok = engine::check_bucket_name(engine::bucket_name(c.bucket_arn), "StorageConfiguration"); !ok)
    return ok;
  if (auto ok = engine::check_key_template(c.key_template); !ok) return ok;
  if (c.compression == "ZSTD" && !engine::zstd_available()) {
    return invalid(
        "CompressionType ZSTD is not supported by this kinesisd: it was built without libzstd. Use "
        "GZIP or NONE.");
  }
  // AWS: "If not specified, it defaults to the destination bucket with an error prefix."
  c.dlq_bucket_arn = c.bucket_arn;
  c.dlq_owner = c.bucket_owner;
  c.dlq_prefix = "kinesis-channel/errors/" + c.name + "/" + c.channel_id + "/";
  if (const auto* dlq = get_object(s3, "DeadLetterQueueS3Configuration")) {
    c.dlq_bucket_arn = *get_string(*dlq, "BucketARN");
    c.dlq_owner = *get_string(*dlq, "ExpectedBucketOwner");
    c.dlq_prefix = get_string(*dlq, "ErrorOutputPrefix").value_or(c.dlq_prefix);
    auto ok =
        engine::check_bucket_name(engine::bucket_name(c.dlq_bucket_arn), "DeadLetterQueueS3Configuration");
    if (!ok) return ok;
    if (auto prefix_ok = engine::check_key_prefix(c.dlq_prefix, "ErrorOutputPrefix"); !prefix_ok)
      return prefix_ok;
  }
  return Status::Ok();
}

}  // namespace

Status check_data_freshness(int64_t seconds) {
  if (seconds >= engine::kMinDataFreshnessSeconds && seconds <= engine::kMaxDataFreshnessSeconds)
    return Status::Ok();
  return invalid("DataFreshnessInSeconds " + std::to_string(seconds) + " is not valid. It must be between " +
                 std::to_string(engine::kMinDataFreshnessSeconds) + " and " +
                 std::to_string(engine::kMaxDataFreshnessSeconds) + " seconds.");
}

void apply_logging(const rapidjson::Value& cloudwatch, engine::ChannelMeta& c) {
  c.logging_enabled = get_bool(cloudwatch, "Enabled").value_or(false);
  if (auto group = get_string(cloudwatch, "LogGroupName")) c.log_group = *group;
  if (auto stream = get_string(cloudwatch, "LogStreamName")) c.log_stream = *stream;
  if (c.logging_enabled && c.log_group.empty()) c.log_group = default_log_group(c);
  if (c.logging_enabled && c.log_stream.empty()) c.log_stream = kDefaultLogStream;
}

Result<ChannelRef> resolve_channel(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
  const std::string arn = *get_string(in, "ChannelARN");
  auto parts = engine::parse_channel_arn(arn);
  if (!parts) return invalid("Invalid ChannelARN: " + arn);
  auto& registry = *services.registry;
  if (parts->account != registry.limits().account || parts->region != ctx.region) {
    return make_error(ErrorCode::kResourceNotFound,
                      "Channel " + parts->channel_id + " under account " + parts->account + " not found.");
  }
  return registry.find_channel(ctx.region, parts->channel_id, ctx.now_ms);
}

Result<engine::ChannelMeta> channel_from_request(Services& services, const CallContext& ctx,
                                                 const rapidjson::Value& in) {
  engine::ChannelMeta c;
  c.name = *get_string(in, "ChannelName");
  c.channel_id = random_lower_alnum(16);
  c.role_arn = *get_string(in, "ServiceExecutionRoleARN");
  if (auto s = read_source(services, ctx, in["StreamConfigurationList"], c); !s) return s.error();
  const auto* s3 = get_object(in, "S3DestinationConfiguration");
  const auto* tables = get_object(in, "S3TablesDestinationConfiguration");
  if (s3 && tables) {
    return invalid(
        "Specify either S3DestinationConfiguration or S3TablesDestinationConfiguration, not both.");
  }
  if (!s3 && !tables) {
    return invalid(
        "Either S3DestinationConfiguration or S3TablesDestinationConfiguration must be specified.");
  }
  if (tables) {
    return invalid(
        "S3TablesDestinationConfiguration is not supported by this kinesisd: it has no Amazon S3 Tables "
        "(Apache Iceberg) to deliver to. Use S3DestinationConfiguration, which it delivers to a local "
        "directory.");
  }
  if (auto s = read_s3_destination(*s3, c); !s) return s.error();
  if (const auto* encryption = get_object(in, "EncryptionConfiguration")) {
    c.kms_key_id = *get_string(*encryption, "KeyId");
    // AWS: "You cannot use the Amazon Kinesis Data Streams service key (aws/kinesis)."
    if (is_kinesis_service_key(c.kms_key_id)) {
      return invalid("KeyId " + c.kms_key_id +
                     " is the Amazon Kinesis Data Streams service key (aws/kinesis), "
                     "which channels cannot use. Specify a customer managed AWS KMS key.");
    }
    if (auto s = check_key_id(c.kms_key_id, ctx.region, ErrorCode::kKmsNotFound); !s) return s.error();
  }
  c.tags = read_tag_map(get_object(in, "Tags"));
  const std::string& account = services.registry->limits().account;
  if (auto s = check_tags_to_add("channel " + c.name, account, c.tags); !s) return s.error();
  if (auto s = check_tag_count("channel " + c.name, account, c.tags); !s) return s.error();
  if (const auto* logging = get_object(in, "LoggingConfiguration")) {
    apply_logging(*get_object(*logging, "CloudWatchLogs"), c);
  }
  return c;
}

void write_channel_description(const engine::ChannelMeta& c, int64_t now_ms, rapidjson::Value& out,
                               rapidjson::Document::AllocatorType& alloc) {
  OutBuilder b(out, alloc);
  b.str("ChannelName", c.name).str("ChannelARN", c.arn()).str("ChannelId", c.channel_id);
  b.str("ChannelStatus", engine::to_string(c.status(now_ms)))
      .timestamp_ms("ChannelCreationTimestamp", c.created_ms);
  b.str("ServiceExecutionRoleARN", c.role_arn);
  auto& streams = b.array("StreamConfigurationList");
  for (const auto& s : c.sources) {
    rapidjson::Value v(rapidjson::kObjectType);
    OutBuilder sb(v, alloc);
    sb.str("StreamARN", engine::stream_arn(c.region, c.account, s.stream_name));
    sb.timestamp_ms("StreamCreationTimestamp", s.stream_created_ms);
    OutBuilder rb(sb.object("RecordConfiguration"), alloc);
    rb.str("RecordFormatType", s.record_format);
    if (!s.gsr_schema_arn.empty()) rb.str("GSRSchemaARN", s.gsr_schema_arn);
    streams.PushBack(v, alloc);
  }
  OutBuilder s3(b.object("S3DestinationConfiguration"), alloc);
  s3.num("DataFreshnessInSeconds", c.freshness_seconds);
  OutBuilder(s3.object("DeadLetterQueueS3Configuration"), alloc)
      .str("BucketARN", c.dlq_bucket_arn)
      .str("ExpectedBucketOwner", c.dlq_owner)
      .str("ErrorOutputPrefix", c.dlq_prefix);
  OutBuilder(s3.object("StorageConfiguration"), alloc)
      .str("BucketARN", c.bucket_arn)
      .str("ExpectedBucketOwner", c.bucket_owner)
      .str("OutputKeyTemplate", c.key_template)
      .str("StorageClass", c.storage_class)
      .str("CompressionType", c.compression);
  if (!c.kms_key_id.empty()) {
    OutBuilder(b.object("EncryptionConfiguration"), alloc)
        .str("EncryptionType", "KMS")
        .str("KeyId", c.kms_key_id);
  }
  OutBuilder logs(OutBuilder(b.object("LoggingConfiguration"), alloc).object("CloudWatchLogs"), alloc);
  logs.boolean("Enabled", c.logging_enabled);
  if (!c.log_group.empty()) logs.str("LogGroupName", c.log_group);
  if (!c.log_stream.empty()) logs.str("LogStreamName", c.log_stream);
}

void write_channel_summary(const engine::ChannelMeta& c, int64_t now_ms, rapidjson::Value& out,
                           rapidjson::Document::AllocatorType& alloc) {
  OutBuilder b(out, alloc);
  b.str("ChannelName", c.name).str("ChannelARN", c.arn()).str("ChannelId", c.channel_id);
  b.str("ChannelStatus", engine::to_string(c.status(now_ms)))
      .timestamp_ms("ChannelCreationTimestamp", c.created_ms);
  b.str("ChannelDestinationType", "S3");
  auto& streams = b.array("Streams");
  for (const auto& s : c.sources) {
    rapidjson::Value v(rapidjson::kObjectType);
    OutBuilder(v, alloc)
        .str("StreamARN", engine::stream_arn(c.region, c.account, s.stream_name))
        .timestamp_ms("StreamCreationTimestamp", s.stream_created_ms);
    streams.PushBack(v, alloc);
  }
}

}  // namespace kinesisd::api
