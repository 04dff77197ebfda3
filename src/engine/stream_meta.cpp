#include "kinesisd/engine/stream_meta.hpp"

#include <cstdio>

namespace kinesisd::engine {

const char* to_string(StreamStatus s) {
  switch (s) {
    case StreamStatus::kCreating: return "CREATING";
    case StreamStatus::kActive: return "ACTIVE";
    case StreamStatus::kUpdating: return "UPDATING";
    case StreamStatus::kDeleting: return "DELETING";
    case StreamStatus::kGone: return "DELETED";
  }
  return "ACTIVE";
}

const char* to_string(StreamMode m) { return m == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED"; }

std::string shard_id_for_index(uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012llu", static_cast<unsigned long long>(index));
  return buf;
}

const char* to_string(ConsumerStatus s) {
  switch (s) {
    case ConsumerStatus::kCreating: return "CREATING";
    case ConsumerStatus::kActive: return "ACTIVE";
    case ConsumerStatus::kDeleting: return "DELETING";
    case ConsumerStatus::kGone: return "DELETED";
  }
  return "ACTIVE";
}

ConsumerStatus ConsumerMeta::status(int64_t now_ms) const {
  if (delete_at_ms != 0) return now_ms >= delete_at_ms ? ConsumerStatus::kGone : ConsumerStatus::kDeleting;
  return now_ms < ready_at_ms ? ConsumerStatus::kCreating : ConsumerStatus::kActive;
}

std::string ConsumerMeta::arn(const std::string& stream_arn) const {
  return stream_arn + "/consumer/" + name + ":" + std::to_string(created_ms / 1000);
}

bool StreamMeta::take_daily_quota(const std::string& operation, size_t per_day, int64_t now_ms) {
  constexpr int64_t kDayMs = 24 * 3'600'000;
  auto& calls = daily_quota_calls[operation];
  std::erase_if(calls, [&](int64_t t) { return t <= now_ms - kDayMs; });
  if (calls.size() >= per_day) return false;
  calls.push_back(now_ms);
  return true;
}

const ConsumerMeta* StreamMeta::consumer_by_arn(const std::string& consumer_arn, int64_t now_ms) const {
  const std::string stream = arn();
  for (const auto& c : consumers)
    if (c.status(now_ms) != ConsumerStatus::kGone && c.arn(stream) == consumer_arn) return &c;
  return nullptr;
}

size_t StreamMeta::live_consumer_count(int64_t now_ms) const {
  size_t n = 0;
  for (const auto& c : consumers) n += c.status(now_ms) != ConsumerStatus::kGone ? 1 : 0;
  return n;
}

SequenceNumber ShardMeta::starting_sequence_number() const {
  return SequenceNumber::before(static_cast<uint64_t>(created_ms / 1000), index, 0);
}

std::optional<SequenceNumber> ShardMeta::ending_sequence_number() const {
  if (!end_position) return std::nullopt;
  // The last record's number; an empty closed shard ends where it started.
  if (*end_position == 0) return starting_sequence_number();
  return SequenceNumber::of_record(static_cast<uint64_t>(created_ms / 1000), index, *end_position - 1);
}

StreamStatus StreamMeta::status(int64_t now_ms) const {
  if (delete_at_ms != 0) return now_ms >= delete_at_ms ? StreamStatus::kGone : StreamStatus::kDeleting;
  if (now_ms < ready_at_ms) return StreamStatus::kCreating;
  if (now_ms < updating_until_ms) return StreamStatus::kUpdating;
  return StreamStatus::kActive;
}

std::string StreamMeta::arn() const { return stream_arn(region, account, name); }

size_t StreamMeta::open_shard_count() const {
  size_t n = 0;
  for (const auto& s : shards) n += s.is_open() ? 1 : 0;
  return n;
}

std::string stream_arn(const std::string& region, const std::string& account, const std::string& name) {
  return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name;
}

std::optional<StreamArnParts> parse_stream_arn(const std::string& arn) {
  // arn:<partition>:kinesis:<region>:<account>:stream/<name>
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = arn.substr(start);
  if (parts[0] != "arn" || parts[1].rfind("aws", 0) != 0 || parts[2] != "kinesis") return std::nullopt;
  if (resource.rfind("stream/", 0) != 0) return std::nullopt;
  std::string name = resource.substr(7);
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  return StreamArnParts{parts[3], parts[4], std::move(name)};
}

}  // namespace kinesisd::engine
