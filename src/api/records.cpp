// PutRecord, PutRecords: route by partition key (or ExplicitHashKey) to the open shard owning the hash key,
// and write through the shard actors.
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/shard_calls.hpp"

namespace kinesisd::api {
namespace {

constexpr size_t kPutRecordsMaxBytes = 10 * 1024 * 1024;

// A stream that can take writes: ACTIVE or UPDATING. AWS answers ResourceNotFound for CREATING and DELETING.
Result<StreamRef> writable_stream(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) return stream;
  const auto st = (*stream)->status(ctx.now_ms);
  if (st != engine::StreamStatus::kActive && st != engine::StreamStatus::kUpdating) {
    return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message((*stream)->name));
  }
  return stream;
}

struct Routed {
  const engine::ShardMeta* shard = nullptr;
};

// The open shard whose range holds the record's hash key. InvalidArgument for an ExplicitHashKey outside
// [0, 2^128-1].
Result<const engine::ShardMeta*> route(const engine::StreamMeta& s, const rapidjson::Value& record) {
  uint128 key = 0;
  if (auto explicit_key = get_string(record, "ExplicitHashKey")) {
    auto parsed = parse_decimal_u128(*explicit_key);
    if (!parsed) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value "
                        "was " + *explicit_key);
    }
    key = *parsed;
  } else {
    const auto& pk = record["PartitionKey"];
    key = hash_partition_key(std::string_view(pk.GetString(), pk.GetStringLength()));
  }
  for (const auto& shard : s.shards)
    if (shard.is_open() && shard.hash_range.contains(key)) return &shard;
  return make_error(ErrorCode::kInternal, "no open shard holds the hash key");
}

Status check_size(const engine::StreamMeta& s, const rapidjson::Value& record) {
  const size_t size = record["Data"].GetStringLength() + record["PartitionKey"].GetStringLength();
  const size_t limit = static_cast<size_t>(s.max_record_size_kib) * 1024;
  if (size <= limit) return Status::Ok();
  return make_error(ErrorCode::kInvalidArgument,
                    "The size of the record (" + std::to_string(size) +
                        " bytes of data and partition key) exceeds the maximum record size of stream " + s.name +
                        " (" + std::to_string(s.max_record_size_kib) + " KiB).");
}

engine::AppendRequest to_append(const rapidjson::Value& record) {
  const auto& pk = record["PartitionKey"];
  const auto& data = record["Data"];
  return {std::string(pk.GetString(), pk.GetStringLength()), std::string(data.GetString(), data.GetStringLength())};
}

std::string sequence_number(const engine::ShardMeta& shard, uint64_t position) {
  return engine::SequenceNumber{static_cast<uint64_t>(shard.created_ms / 1000), shard.index, position, 0}.to_string();
}

Error missing_shard(const engine::StreamMeta& s) {
  return make_error(ErrorCode::kInternal, "the shards of stream " + s.name + " are not open");
}

}  // namespace

KINESISD_HANDLER(put_record) {
  auto stream = writable_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  if (auto ordering = get_string(in, "SequenceNumberForOrdering")) {
    // Sequence numbers grow strictly within a shard and children's exceed their parents', so every new record
    // already follows any sequence number this server issued; anything else is refused as AWS refuses it.
    if (!engine::SequenceNumber::parse(*ordering)) {
      co_return make_error(ErrorCode::kInvalidArgument, "ExclusiveMinimumSequenceNumber " + *ordering +
                                                            " used in PutRecord on stream " + s.name +
                                                            " under account " + s.account + " is invalid.");
    }
  }
  if (auto st = check_size(s, in); !st) co_return st.error();
  auto target = route(s, in);
  if (!target) co_return target.error();
  std::vector<ShardWrite> writes(1);
  writes[0].shard = services.data->shard(s, target.value()->index);
  if (!writes[0].shard) co_return missing_shard(s);
  writes[0].records = std::make_shared<std::vector<engine::AppendRequest>>();
  writes[0].records->push_back(to_append(in));
  co_await append_all(writes);
  const auto& result = writes[0].results.at(0);
  if (!result.status) co_return result.status.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder(out, out.GetAllocator())
      .str("ShardId", target.value()->shard_id)
      .str("SequenceNumber", sequence_number(*target.value(), result.position))
      .str("EncryptionType", s.encryption_type);
  co_return out;
}

KINESISD_HANDLER(put_records) {
  auto stream = writable_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  const auto& records = in["Records"];
  size_t total = 0;
  for (const auto& r : records.GetArray()) total += r["Data"].GetStringLength() + r["PartitionKey"].GetStringLength();
  if (total > kPutRecordsMaxBytes) {
    co_return make_error(ErrorCode::kInvalidArgument,
                         "Records size exceeds 10 MB limit: the request carries " + std::to_string(total) +
                             " bytes of data and partition keys.");
  }
  // Route every record first: an invalid record fails the whole call, as on AWS.
  std::vector<const engine::ShardMeta*> targets;
  targets.reserve(records.Size());
  for (const auto& r : records.GetArray()) {
    if (auto st = check_size(s, r); !st) co_return st.error();
    auto target = route(s, r);
    if (!target) co_return target.error();
    targets.push_back(target.value());
  }
  // One write per shard, keeping each shard's records in request order.
  std::vector<ShardWrite> writes;
  std::vector<std::pair<size_t, size_t>> where(records.Size());  // record -> (write, index within it)
  std::vector<int> write_of_shard(s.shards.size(), -1);
  for (rapidjson::SizeType i = 0; i < records.Size(); ++i) {
    const size_t slot = static_cast<size_t>(targets[i] - s.shards.data());
    if (write_of_shard[slot] < 0) {
      write_of_shard[slot] = static_cast<int>(writes.size());
      ShardWrite w;
      w.shard = services.data->shard(s, targets[i]->index);
      if (!w.shard) co_return missing_shard(s);
      w.records = std::make_shared<std::vector<engine::AppendRequest>>();
      writes.push_back(std::move(w));
    }
    auto& w = writes[static_cast<size_t>(write_of_shard[slot])];
    where[i] = {static_cast<size_t>(write_of_shard[slot]), w.records->size()};
    w.records->push_back(to_append(records[i]));
  }
  co_await append_all(writes);

  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  int64_t failed = 0;
  auto& results = b.array("Records");
  results.Reserve(records.Size(), alloc);
  for (size_t i = 0; i < where.size(); ++i) {
    const auto& r = writes[where[i].first].results.at(where[i].second);
    rapidjson::Value entry(rapidjson::kObjectType);
    OutBuilder e(entry, alloc);
    if (r.status) {
      e.str("SequenceNumber", sequence_number(*targets[i], r.position)).str("ShardId", targets[i]->shard_id);
    } else {
      ++failed;
      const bool throttled = r.status.error().code == ErrorCode::kProvisionedThroughputExceeded;
      e.str("ErrorCode", throttled ? "ProvisionedThroughputExceededException" : "InternalFailure")
          .str("ErrorMessage", throttled ? r.status.error().message : "Internal service failure.");
    }
    results.PushBack(entry, alloc);
  }
  b.num("FailedRecordCount", failed);  // AWS sends 0 too, whatever the model's minimum says
  b.str("EncryptionType", s.encryption_type);
  co_return out;
}

}  // namespace kinesisd::api
