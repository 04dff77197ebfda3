// What the catalog knows of a stream and its shards. Plain values: copied out of the registry for reading.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kinesisd/engine/hash_range.hpp"
#include "kinesisd/engine/sequence_number.hpp"

namespace kinesisd::engine {

enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting, kGone };
const char* to_string(StreamStatus s);

enum class StreamMode { kProvisioned, kOnDemand };
const char* to_string(StreamMode m);

struct ShardMeta {
  std::string shard_id;  // shardId-000000000007
  uint64_t index = 0;    // 7
  HashRange hash_range;
  std::string parent_shard_id;           // empty when none
  std::string adjacent_parent_shard_id;  // empty when none
  int64_t created_ms = 0;
  int64_t closed_ms = 0;                   // 0 while open
  // Once closed and drained: one past the last record the shard will ever hold (0 when it holds none).
  std::optional<uint64_t> end_position;

  bool is_open() const { return closed_ms == 0; }
  SequenceNumber starting_sequence_number() const;
  std::optional<SequenceNumber> ending_sequence_number() const;
};

std::string shard_id_for_index(uint64_t index);

enum class ConsumerStatus { kCreating, kActive, kDeleting, kGone };
const char* to_string(ConsumerStatus s);

// An enhanced fan-out consumer registered with a stream.
struct ConsumerMeta {
  std::string name;
  int64_t created_ms = 0;
  int64_t ready_at_ms = 0;   // CREATING until then
  int64_t delete_at_ms = 0;  // 0, or DELETING until then and gone after
  std::map<std::string, std::string> tags;
  std::string resource_policy;  // as for streams; empty when none

  ConsumerStatus status(int64_t now_ms) const;
  // <stream ARN>/consumer/<name>:<creation epoch seconds>
  std::string arn(const std::string& stream_arn) const;
};

struct StreamMeta {
  std::string name;
  std::string region;
  std::string account;
  std::string stream_id;  // [a-z0-9]{20}-[a-z0-9]{3}
  int64_t created_ms = 0;
  int64_t ready_at_ms = 0;          // CREATING until then
  int64_t updating_until_ms = 0;    // UPDATING until then
  int64_t delete_at_ms = 0;         // 0, or DELETING until then and gone after
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  int max_record_size_kib = 1024;
  std::optional<int64_t> warm_throughput_mibps;
  std::string record_distribution = "USER_PARTITION_KEY";  // or AUTO (ON_DEMAND streams only)
  std::string encryption_type = "NONE";
  std::string key_id;
  std::vector<std::string> shard_level_metrics;
  std::map<std::string, std::string> tags;
  std::string resource_policy;  // the policy document (JSON text) of PutResourcePolicy; empty when none
  uint64_t next_shard_index = 0;
  // Calls of operations AWS allows only so many times per rolling 24 hours (UpdateShardCount 10, UpdateStreamMode
  // 2, Start/StopStreamEncryption 25 each), by operation name: the times of the recent ones.
  std::map<std::string, std::vector<int64_t>> daily_quota_calls;

  // Records a call of `operation` at `now_ms` if fewer than `per_day` happened in the last 24 hours; false
  // (recording nothing) when the quota is used up.
  bool take_daily_quota(const std::string& operation, size_t per_day, int64_t now_ms);
  std::vector<ShardMeta> shards;  // ordered by index
  std::vector<ConsumerMeta> consumers;

  // Consumers that are not gone.
  size_t live_consumer_count(int64_t now_ms) const;
  // The consumer whose ARN is `consumer_arn` and that is not gone at `now_ms`; nullptr when none.
  const ConsumerMeta* consumer_by_arn(const std::string& consumer_arn, int64_t now_ms) const;
  ConsumerMeta* consumer_by_arn(const std::string& consumer_arn, int64_t now_ms) {
    return const_cast<ConsumerMeta*>(std::as_const(*this).consumer_by_arn(consumer_arn, now_ms));
  }

  StreamStatus status(int64_t now_ms) const;
  std::string arn() const;
  size_t open_shard_count() const;
};

// Settings of the account in one region (DescribeAccountSettings / UpdateAccountSettings).
struct AccountSettings {
  std::string commitment_status;  // MinimumThroughputBillingCommitment Status; empty when never set
  int64_t commitment_started_ms = 0;
  int64_t commitment_ended_ms = 0;
  int64_t commitment_earliest_end_ms = 0;
};

// arn:aws:kinesis:<region>:<account>:stream/<name>
std::string stream_arn(const std::string& region, const std::string& account, const std::string& name);

// The parts of a stream ARN; nullopt when `arn` is not one.
struct StreamArnParts {
  std::string region;
  std::string account;
  std::string name;
};
std::optional<StreamArnParts> parse_stream_arn(const std::string& arn);

}  // namespace kinesisd::engine
