// What the catalog knows of a channel (CreateChannel): a delivery of one stream's records to a general
// purpose S3 bucket, which this server emulates with a local directory (engine/channel_delivery.hpp). Plain
// values; status is derived from timestamps like a stream's, so a restart changes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kinesisd::engine {

enum class ChannelStatus { kCreating, kActive, kUpdating, kDeleting, kGone };
const char* to_string(ChannelStatus s);

// AWS's documented data freshness bounds and default (Developer Guide, "Data delivery concepts").
inline constexpr int64_t kMinDataFreshnessSeconds = 300;
inline constexpr int64_t kMaxDataFreshnessSeconds = 900;
inline constexpr int64_t kDefaultDataFreshnessSeconds = 300;
// The S3 key template AWS uses when none is given.
inline constexpr const char* kDefaultOutputKeyTemplate =
    "kinesis-channel/!{channel-name}/!{channel-id}/!{yyyy}/!{MM}/!{dd}/!{HH}/"
    "!{channel-name}-!{channel-id}-!{yyyy}-!{MM}-!{dd}-!{HH}-!{mm}!{extension}";

// The source stream of a channel, pinned to the stream that existed at creation.
struct ChannelSource {
  std::string stream_name;
  std::string stream_id;
  int64_t stream_created_ms = 0;
  std::string record_format;   // JSON, STRING or BYTE_ARRAY (GSR_JSON is for S3 Tables only)
  std::string gsr_schema_arn;  // empty when none
};

struct ChannelMeta {
  std::string name;
  std::string region;
  std::string account;
  std::string channel_id;  // [a-z0-9]{16}
  int64_t created_ms = 0;
  int64_t ready_at_ms = 0;        // CREATING until then; records that arrive from then on are delivered
  int64_t updating_until_ms = 0;  // UPDATING until then
  int64_t delete_at_ms = 0;       // 0, or DELETING until then and gone after
  std::string role_arn;
  std::vector<ChannelSource> sources;  // exactly one today (AWS: one stream per channel)
  // The S3 destination, with AWS's defaults filled in at creation.
  int64_t freshness_seconds = kDefaultDataFreshnessSeconds;
  std::string bucket_arn;
  std::string bucket_owner;
  std::string key_template = kDefaultOutputKeyTemplate;
  std::string storage_class = "STANDARD";
  std::string compression = "NONE";  // NONE, GZIP or ZSTD
  std::string dlq_bucket_arn;
  std::string dlq_owner;
  std::string dlq_prefix;
  std::string kms_key_id;  // empty without an EncryptionConfiguration
  bool logging_enabled = false;
  std::string log_group;   // empty: not set
  std::string log_stream;  // empty: not set
  std::map<std::string, std::string> tags;

  ChannelStatus status(int64_t now_ms) const;
  // arn:aws:kinesis:<region>:<account>:channel/<channel id> (IAM's resource type for channels)
  std::string arn() const;
  // Delivers while ACTIVE or UPDATING.
  bool delivering(int64_t now_ms) const;
};

struct ChannelArnParts {
  std::string region;
  std::string account;
  std::string channel_id;
};
// The parts of a channel ARN; nullopt when `arn` is not one.
std::optional<ChannelArnParts> parse_channel_arn(const std::string& arn);
std::string channel_arn(const std::string& region, const std::string& account, const std::string& channel_id);

// The bucket name of an S3 bucket ARN (arn:aws:s3:::<bucket>); empty when it is not one.
std::string bucket_name(const std::string& bucket_arn);

}  // namespace kinesisd::engine
