// GetShardIterator, GetRecords.
#include <spdlog/spdlog.h>

#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/record_reading.hpp"
#include "kinesisd/api/shard_calls.hpp"
#include "kinesisd/util/async.hpp"

namespace kinesisd::api {
namespace {

constexpr size_t kGetRecordsMaxBytes = 10 * 1024 * 1024;
constexpr int64_t kGetRecordsDefaultLimit = 10000;

std::string iterator_types_message(const std::string& type, bool has_sequence) {
  return "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
         "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " +
         type + (has_sequence ? " and also a StartingSequenceNumber." : " and no StartingSequenceNumber.");
}

}  // namespace

KINESISD_HANDLER(get_shard_iterator) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = *stream.value();
  const std::string shard_id = *get_string(in, "ShardId");
  const engine::ShardMeta* shard_meta = find_shard(s, shard_id);
  const auto st = s.status(ctx.now_ms);
  if (st == engine::StreamStatus::kCreating || st == engine::StreamStatus::kDeleting) {
    co_return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message(s.name));
  }
  if (shard_meta == nullptr) co_return make_error(ErrorCode::kResourceNotFound, shard_missing_message(shard_id, s));
  auto shard = services.data->shard(s, shard_meta->index);
  if (!shard) co_return make_error(ErrorCode::kInternal, "the shards of stream " + s.name + " are not open");

  const std::string type = *get_string(in, "ShardIteratorType");
  const auto sequence = get_string(in, "StartingSequenceNumber");
  const auto timestamp = get_int(in, "Timestamp");
  const auto& log = shard->log();
  uint64_t position = 0;
  if (type == "TRIM_HORIZON" || type == "LATEST") {
    if (sequence) co_return make_error(ErrorCode::kInvalidArgument, iterator_types_message(type, true));
    position = type == "LATEST" ? log.end_position() : log.start_position();
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    if (!sequence) co_return make_error(ErrorCode::kInvalidArgument, iterator_types_message(type, false));
    auto p = position_of_sequence(*sequence, type == "AFTER_SEQUENCE_NUMBER", *shard_meta, s, log.end_position(),
                                  "GetShardIterator");
    if (!p) co_return p.error();
    position = p.value();
  } else {  // AT_TIMESTAMP
    if (!timestamp) {
      co_return make_error(ErrorCode::kInvalidArgument,
                           "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
                           "request has no timestamp parameter.");
    }
    if (sequence) co_return make_error(ErrorCode::kInvalidArgument, iterator_types_message(type, true));
    const int64_t ts = *timestamp;
    auto p = co_await run_on<Result<uint64_t>>(services.reads, [&log, ts] { return log.position_at(ts); });
    if (!p) co_return p.error();
    position = p.value();
  }
  if (get_bool(in, "DryRun").value_or(false)) {
    co_return dry_run_error();
  }
  engine::IteratorState state{ctx.region, s.name, s.created_ms, shard_meta->index, position, ctx.now_ms};
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder(out, out.GetAllocator()).str("ShardIterator", services.iterators->encode(state));
  co_return out;
}

KINESISD_HANDLER(get_records) {
  auto state = services.iterators->decode(*get_string(in, "ShardIterator"), ctx.now_ms);
  if (!state) co_return state.error();
  const auto& it = state.value();
  auto stream = services.registry->find_ref(it.region, it.stream_name, ctx.now_ms);
  const std::string shard_id = engine::shard_id_for_index(it.shard_index);
  if (!stream || (*stream)->created_ms != it.stream_created_ms || it.region != ctx.region) {
    co_return make_error(ErrorCode::kResourceNotFound,
                         "Shard " + shard_id + " in stream " + it.stream_name + " under account " +
                             services.registry->limits().account + " does not exist");
  }
  const auto& s = *stream.value();
  if (auto arn = get_string(in, "StreamARN"); arn && *arn != s.arn()) {
    co_return make_error(ErrorCode::kInvalidArgument, "The StreamARN " + *arn + " does not match the ShardIterator.");
  }
  const engine::ShardMeta* shard_meta = find_shard(s, it.shard_index);
  auto shard = shard_meta ? services.data->shard(s, it.shard_index) : nullptr;
  if (!shard) co_return make_error(ErrorCode::kResourceNotFound, shard_missing_message(shard_id, s));
  if (get_bool(in, "DryRun").value_or(false)) {
    co_return dry_run_error();
  }
  if (auto admitted = co_await admit_read(*shard); !admitted) co_return admitted.error();

  const size_t limit = static_cast<size_t>(get_int(in, "Limit").value_or(kGetRecordsDefaultLimit));
  const auto& log = shard->log();
  const uint64_t from = it.position;
  struct Read {
    Result<storage::ReadResult> result = make_error(ErrorCode::kInternal, "");
    uint64_t end = 0;
    std::optional<int64_t> next_arrival;
  };
  const engine::RecordCipher* cipher = services.data->cipher();
  Read read = co_await run_on<Read>(services.reads, [&log, from, limit, cipher] {
    Read r;
    r.end = log.end_position();
    r.result = log.read(from, limit, kGetRecordsMaxBytes);
    if (r.result) {
      if (auto opened = open_sealed(cipher, log, r.result.value()); !opened) r.result = opened.error();
    }
    if (r.result && r.result->next_position < r.end) r.next_arrival = log.arrival_of(r.result->next_position);
    return r;
  });
  if (!read.result) co_return read.result.error();
  auto& batch = read.result.value();
  shard->charge_read(batch.bytes);

  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  write_records(*shard_meta, batch, b.array("Records"), alloc);
  const bool closed_and_done =
      shard_meta->end_position && batch.next_position >= *shard_meta->end_position;
  if (closed_and_done) {
    // The end of a closed shard: name the children instead of handing out another iterator.
    write_child_shards(s, shard_id, b.array("ChildShards"), alloc);
  } else {
    engine::IteratorState next = it;
    next.position = batch.next_position;
    next.issued_ms = ctx.now_ms;
    b.str("NextShardIterator", services.iterators->encode(next));
  }
  const int64_t behind = read.next_arrival ? std::max<int64_t>(0, ctx.now_ms - *read.next_arrival) : 0;
  b.num("MillisBehindLatest", behind);
  co_return out;
}

}  // namespace kinesisd::api
