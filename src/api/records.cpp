// PutRecord, PutRecords: route by partition key (or ExplicitHashKey) to the open shard owning the hash key,
// and write through the shard actors.
#include <atomic>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/error_map.hpp"
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

// The open shard whose range holds the record's hash key. InvalidArgument for an ExplicitHashKey outside
// [0, 2^128-1].
Result<const engine::ShardMeta*> route(const engine::StreamMeta& s, const rapidjson::Value& record) {
  if (s.record_distribution == "AUTO") {
    // AUTO: the service spreads records evenly and ignores partition and explicit hash keys.
    static std::atomic<uint64_t> next{0};
    std::vector<const engine::ShardMeta*> open;
    for (const auto& shard : s.shards)
      if (shard.is_open()) open.push_back(&shard);
    if (open.empty()) return make_error(ErrorCode::kInternal, "the stream has no open shard");
    return open[next.fetch_add(1, std::memory_order_relaxed) % open.size()];
  }
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
    auto pk = record.FindMember("PartitionKey");
    if (pk == record.MemberEnd()) return make_error(ErrorCode::kInternal, "a record without a partition key");
    key = hash_partition_key(std::string_view(pk->value.GetString(), pk->value.GetStringLength()));
  }
  for (const auto& shard : s.shards)
    if (shard.is_open() && shard.hash_range.contains(key)) return &shard;
  return make_error(ErrorCode::kInternal, "no open shard holds the hash key");
}

std::string_view partition_key(const rapidjson::Value& record) {
  auto pk = record.FindMember("PartitionKey");
  if (pk == record.MemberEnd() || !pk->value.IsString()) return {};
  return {pk->value.GetString(), pk->value.GetStringLength()};
}

// USER_PARTITION_KEY streams (the default) need a partition key on every record, reported as the model did
// before AUTO made the member optional. `paths` are the members' paths in the request.
Status require_partition_keys(const engine::StreamMeta& s, const std::vector<const rapidjson::Value*>& records,
                              const std::vector<std::string>& paths) {
  if (s.record_distribution == "AUTO") return Status::Ok();
  std::vector<std::string> errors;
  for (size_t i = 0; i < records.size() && errors.size() < 10; ++i) {
    if (!records[i]->HasMember("PartitionKey")) {
      errors.push_back("Value null at '" + paths[i] + "' failed to satisfy constraint: Member must not be null");
    }
  }
  if (errors.empty()) return Status::Ok();
  std::string msg = std::to_string(errors.size()) +
                    (errors.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
  return make_error(ErrorCode::kValidation, msg);
}


Status check_size(const engine::StreamMeta& s, const rapidjson::Value& record) {
  const size_t size = record["Data"].GetStringLength() + partition_key(record).size();
  const size_t limit = static_cast<size_t>(s.max_record_size_kib) * 1024;
  if (size <= limit) return Status::Ok();
  return make_error(ErrorCode::kInvalidArgument,
                    "The size of the record (" + std::to_string(size) +
                        " bytes of data and partition key) exceeds the maximum record size of stream " + s.name +
                        " (" + std::to_string(s.max_record_size_kib) + " KiB).");
}

engine::AppendRequest to_append(const rapidjson::Value& record) {
  const auto& data = record["Data"];
  return {std::string(partition_key(record)), std::string(data.GetString(), data.GetStringLength())};
}

std::string sequence_number(const engine::ShardMeta& shard, uint64_t position) {
  return engine::SequenceNumber::of_record(static_cast<uint64_t>(shard.created_ms / 1000), shard.index, position)
      .to_string();
}

Error missing_shard(const engine::StreamMeta& s) {
  return make_error(ErrorCode::kInternal, "the shards of stream " + s.name + " are not open");
}

// Where each record went and what became of it. `shard` points into a snapshot held by `snapshots`.
struct Placed {
  const engine::ShardMeta* shard = nullptr;
  engine::AppendResult result;
};

struct Placement {
  std::vector<StreamRef> snapshots;
  std::vector<Placed> placed;
};

constexpr int kRouteAttempts = 3;

// The key id records are stored encrypted under, or empty: the stream's setting in the snapshot the call
// started with. The whole call uses it (also when records are routed again on a fresh snapshot), so the
// answer's EncryptionType is what was applied to every record.
std::string encryption_key_id(const engine::StreamMeta& s) { return s.encryption_type == "KMS" ? s.key_id : ""; }

const char* encryption_type(const std::string& key_id) { return key_id.empty() ? "NONE" : "KMS"; }

// Appends every record to its open shard, one append per shard, all at once. `routed` holds each record's shard
// in `stream`, as the caller's checks already routed it. Records that reach a shard closed by a split or merge
// after they were routed are routed again on a fresh snapshot. Returns only once the catalog on disk reflects
// every snapshot used: a reshard installs its children before its catalog write, and a record acknowledged in
// a child the catalog does not have yet would be lost with it by a crash.
boost::asio::awaitable<Result<Placement>> place(Services& services, const CallContext& ctx, const rapidjson::Value& in,
                                                const std::vector<const rapidjson::Value*>& records,
                                                const std::vector<const engine::ShardMeta*>& routed, StreamRef stream,
                                                std::string key_id) {
  Placement out;
  out.placed.resize(records.size());
  std::vector<size_t> todo(records.size());
  for (size_t i = 0; i < todo.size(); ++i) todo[i] = i;
  uint64_t catalog_needed = 0;  // a registry version read after each snapshot was taken: at least its own
  for (int attempt = 0; attempt < kRouteAttempts && !todo.empty(); ++attempt) {
    if (attempt > 0) {
      auto fresh = writable_stream(services, ctx, in);
      if (!fresh) co_return fresh.error();
      stream = fresh.value();
    }
    catalog_needed = services.registry->version();
    out.snapshots.push_back(stream);
    const engine::StreamMeta& s = *stream;
    std::vector<ShardWrite> writes;
    std::vector<std::pair<size_t, size_t>> where(todo.size());  // todo slot -> (write, index within it)
    std::vector<int> write_of_shard(s.shards.size(), -1);
    for (size_t k = 0; k < todo.size(); ++k) {
      auto target = attempt == 0 ? Result<const engine::ShardMeta*>(routed[todo[k]]) : route(s, *records[todo[k]]);
      if (!target) co_return target.error();
      out.placed[todo[k]].shard = target.value();
      const size_t slot = static_cast<size_t>(target.value() - s.shards.data());
      if (write_of_shard[slot] < 0) {
        write_of_shard[slot] = static_cast<int>(writes.size());
        ShardWrite w;
        w.shard = services.data->shard(s, target.value()->index);
        if (!w.shard) co_return missing_shard(s);
        w.records = std::make_shared<std::vector<engine::AppendRequest>>();
        w.encryption_key_id = key_id;
        writes.push_back(std::move(w));
      }
      auto& w = writes[static_cast<size_t>(write_of_shard[slot])];
      where[k] = {static_cast<size_t>(write_of_shard[slot]), w.records->size()};
      w.records->push_back(to_append(*records[todo[k]]));
    }
    co_await append_all(writes);
    std::vector<size_t> again;
    for (size_t k = 0; k < todo.size(); ++k) {
      auto& result = writes[where[k].first].results.at(where[k].second);
      if (!result.status && result.status.error().code == ErrorCode::kResourceInUse) {
        again.push_back(todo[k]);
        continue;
      }
      out.placed[todo[k]].result = std::move(result);
    }
    todo = std::move(again);
  }
  for (size_t i : todo) out.placed[i].result.status = make_error(ErrorCode::kInternal, "the shard was resharded");
  if (services.catalog != nullptr && services.catalog->durable_version() < catalog_needed) {
    if (auto s = co_await services.catalog->persist(); !s) co_return s.error();
  }
  co_return out;
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
  const std::vector<const rapidjson::Value*> one{&in};  // named: GCC 12 rejects braced coroutine arguments
  const std::vector<std::string> one_path{"partitionKey"};
  if (auto st = require_partition_keys(s, one, one_path); !st) co_return st.error();
  if (auto st = check_size(s, in); !st) co_return st.error();
  auto target = route(s, in);
  if (!target) co_return target.error();
  if (get_bool(in, "DryRun").value_or(false)) co_return dry_run_error();
  const std::vector<const engine::ShardMeta*> routed{target.value()};
  const std::string key_id = encryption_key_id(s);
  auto placement = co_await place(services, ctx, in, one, routed, stream.value(), key_id);
  if (!placement) co_return placement.error();
  const Placed& placed = placement->placed.at(0);
  if (!placed.result.status) co_return placed.result.status.error();
  rapidjson::Document out(rapidjson::kObjectType, ctx.arena);
  OutBuilder(out, out.GetAllocator())
      .str("ShardId", placed.shard->shard_id)
      .str("SequenceNumber", sequence_number(*placed.shard, placed.result.position))
      .str("EncryptionType", encryption_type(key_id));
  co_return out;
}

KINESISD_HANDLER(put_records) {
  auto stream = writable_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  const auto& records = in["Records"];
  size_t total = 0;
  for (const auto& r : records.GetArray()) total += r["Data"].GetStringLength() + partition_key(r).size();
  if (total > kPutRecordsMaxBytes) {
    co_return make_error(ErrorCode::kInvalidArgument,
                         "Records size exceeds 10 MB limit: the request carries " + std::to_string(total) +
                             " bytes of data and partition keys.");
  }
  // Check every record first: an invalid record fails the whole call, as on AWS.
  std::vector<const rapidjson::Value*> entries;
  std::vector<std::string> paths;
  entries.reserve(records.Size());
  for (const auto& r : records.GetArray()) {
    entries.push_back(&r);
    paths.push_back("records." + std::to_string(entries.size()) + ".member.partitionKey");
  }
  if (auto st = require_partition_keys(s, entries, paths); !st) co_return st.error();
  std::vector<const engine::ShardMeta*> routed;  // routed once: place() uses these on its first attempt
  routed.reserve(entries.size());
  for (const auto* r : entries) {
    if (auto st = check_size(s, *r); !st) co_return st.error();
    auto target = route(s, *r);
    if (!target) co_return target.error();
    routed.push_back(target.value());
  }
  if (get_bool(in, "DryRun").value_or(false)) co_return dry_run_error();
  const std::string key_id = encryption_key_id(s);
  auto placement = co_await place(services, ctx, in, entries, routed, stream.value(), key_id);
  if (!placement) co_return placement.error();

  rapidjson::Document out(rapidjson::kObjectType, ctx.arena);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  int64_t failed = 0;
  auto& results = b.array("Records");
  results.Reserve(records.Size(), alloc);
  for (const Placed& p : placement->placed) {
    const auto& r = p.result;
    rapidjson::Value entry(rapidjson::kObjectType);
    OutBuilder e(entry, alloc);
    if (r.status) {
      e.str("SequenceNumber", sequence_number(*p.shard, r.position)).str("ShardId", p.shard->shard_id);
    } else {
      ++failed;
      // AWS's per-record codes are these two; anything else is the server's failure (detail logged once).
      const bool throttled = r.status.error().code == ErrorCode::kProvisionedThroughputExceeded;
      e.str("ErrorCode", throttled ? "ProvisionedThroughputExceededException" : "InternalFailure")
          .str("ErrorMessage",
               throttled ? r.status.error().message : public_error(r.status.error(), "PutRecords").message);
    }
    results.PushBack(entry, alloc);
  }
  b.num("FailedRecordCount", failed);  // AWS sends 0 too, whatever the model's minimum says
  b.str("EncryptionType", encryption_type(key_id));
  co_return out;
}

}  // namespace kinesisd::api
