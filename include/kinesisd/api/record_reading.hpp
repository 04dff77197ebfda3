// What GetRecords and SubscribeToShard share: finding a shard, turning a StartingSequenceNumber into a position,
// opening sealed records, and writing records and child shards as the output shapes describe them.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "kinesisd/engine/record_cipher.hpp"
#include "kinesisd/engine/stream_meta.hpp"
#include "kinesisd/storage/shard_log.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::api {

const engine::ShardMeta* find_shard(const engine::StreamMeta& s, const std::string& shard_id);
const engine::ShardMeta* find_shard(const engine::StreamMeta& s, uint64_t index);
// "Shard <id> in stream <name> under account <account> does not exist"
std::string shard_missing_message(const std::string& shard_id, const engine::StreamMeta& s);

// The position an AT_SEQUENCE_NUMBER (after = false) or AFTER_SEQUENCE_NUMBER read of `shard` starts from, with
// AWS's refusals, which name `operation` (GetShardIterator, SubscribeToShard).
Result<uint64_t> position_of_sequence(const std::string& text, bool after, const engine::ShardMeta& shard,
                                      const engine::StreamMeta& s, uint64_t end_position,
                                      const std::string& operation);

// Opens the sealed records of a read in place (read pool) and recounts `batch.bytes` as plaintext. A record whose
// tag does not verify is never served: the read fails (Internal) and the failure is logged.
Status open_sealed(const engine::RecordCipher* cipher, const storage::ShardLog& log, storage::ReadResult& batch);

// Appends the records of `batch` to the JSON array `records` in the Record shape.
void write_records(const engine::ShardMeta& shard, const storage::ReadResult& batch, rapidjson::Value& records,
                   rapidjson::Document::AllocatorType& alloc);
// Appends the children of the closed shard `shard_id` to `children` in the ChildShard shape.
void write_child_shards(const engine::StreamMeta& s, const std::string& shard_id, rapidjson::Value& children,
                        rapidjson::Document::AllocatorType& alloc);

}  // namespace kinesisd::api
