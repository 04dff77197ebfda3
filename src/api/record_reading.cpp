#include "kinesisd/api/record_reading.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/engine/sequence_number.hpp"

namespace kinesisd::api {

std::string shard_missing_message(const std::string& shard_id, const engine::StreamMeta& s) {
  return "Shard " + shard_id + " in stream " + s.name + " under account " + s.account + " does not exist";
}

const engine::ShardMeta* find_shard(const engine::StreamMeta& s, const std::string& shard_id) {
  for (const auto& shard : s.shards)
    if (shard.shard_id == shard_id) return &shard;
  return nullptr;
}

const engine::ShardMeta* find_shard(const engine::StreamMeta& s, uint64_t index) {
  for (const auto& shard : s.shards)
    if (shard.index == index) return &shard;
  return nullptr;
}

Result<uint64_t> position_of_sequence(const std::string& text, bool after, const engine::ShardMeta& shard,
                                      const engine::StreamMeta& s, uint64_t end_position,
                                      const std::string& operation) {
  const std::string where = " used in " + operation + " on shard " + shard.shard_id + " in stream " + s.name +
                            " under account " + s.account + " is invalid";
  auto seq = engine::SequenceNumber::parse(text);
  if (!seq) return make_error(ErrorCode::kInvalidArgument, "StartingSequenceNumber " + text + where + ".");
  if (seq->shard_index != shard.index) {
    return make_error(ErrorCode::kInvalidArgument, "Invalid StartingSequenceNumber. It encodes " +
                                                       engine::shard_id_for_index(seq->shard_index) +
                                                       ", while it was used in a call to a shard with " + shard.shard_id);
  }
  if (seq->shard_created_secs != static_cast<uint64_t>(shard.created_ms / 1000)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "StartingSequenceNumber " + text + where + " because it did not come from this stream.");
  }
  if (seq->position > end_position) {
    return make_error(ErrorCode::kInvalidArgument, "StartingSequenceNumber " + text + where + ".");
  }
  return std::min(seq->start_position(after), end_position);
}

Status open_sealed(const engine::RecordCipher* cipher, const storage::ShardLog& log, storage::ReadResult& batch) {
  size_t bytes = 0;
  for (auto& r : batch.records) {
    if (r.flags & storage::kFlagEncrypted) {
      if (cipher == nullptr) return make_error(ErrorCode::kInternal, "record encryption is not configured");
      auto opened = cipher->open_record(r.position, r.data);
      if (!opened) {
        spdlog::error("event=record_auth_failed dir={} position={} error=\"{}\"", log.dir(), r.position,
                      opened.error().message);
        return make_error(ErrorCode::kInternal, "the record at position " + std::to_string(r.position) +
                                                    " failed its authentication check; it is not served");
      }
      r.partition_key = std::move(opened->partition_key);
      r.data = std::move(opened->data);
    }
    bytes += r.partition_key.size() + r.data.size();
  }
  batch.bytes = bytes;  // throughput counts what the caller gets: the plaintext
  return Status::Ok();
}

void write_records(const engine::ShardMeta& shard, const storage::ReadResult& batch, rapidjson::Value& records,
                   rapidjson::Document::AllocatorType& alloc) {
  records.Reserve(static_cast<rapidjson::SizeType>(batch.records.size()), alloc);
  const uint64_t created_secs = static_cast<uint64_t>(shard.created_ms / 1000);
  for (const auto& r : batch.records) {
    rapidjson::Value v(rapidjson::kObjectType);
    OutBuilder rb(v, alloc);
    rb.str("SequenceNumber", engine::SequenceNumber::of_record(created_secs, shard.index, r.position).to_string())
        .timestamp_ms("ApproximateArrivalTimestamp", r.arrival_ms)
        .str("Data", r.data);
    if (!r.partition_key.empty()) rb.str("PartitionKey", r.partition_key);  // absent: written under AUTO without one
    // AWS names the encryption of encrypted records only; plain records carry no EncryptionType.
    if (r.flags & storage::kFlagEncrypted) rb.str("EncryptionType", "KMS");
    records.PushBack(v, alloc);
  }
}

void write_child_shards(const engine::StreamMeta& s, const std::string& shard_id, rapidjson::Value& children,
                        rapidjson::Document::AllocatorType& alloc) {
  for (const auto& child : s.shards) {
    if (child.parent_shard_id != shard_id && child.adjacent_parent_shard_id != shard_id) continue;
    rapidjson::Value c(rapidjson::kObjectType);
    OutBuilder cb(c, alloc);
    cb.str("ShardId", child.shard_id);
    auto& parents = cb.array("ParentShards");
    parents.PushBack(rapidjson::Value(child.parent_shard_id.c_str(), alloc), alloc);
    if (!child.adjacent_parent_shard_id.empty())
      parents.PushBack(rapidjson::Value(child.adjacent_parent_shard_id.c_str(), alloc), alloc);
    OutBuilder(cb.object("HashKeyRange"), alloc)
        .str("StartingHashKey", to_decimal(child.hash_range.start))
        .str("EndingHashKey", to_decimal(child.hash_range.end));
    children.PushBack(c, alloc);
  }
}

}  // namespace kinesisd::api
