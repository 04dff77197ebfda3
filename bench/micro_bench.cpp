// Hot paths: routing, base64, request decoding and validation, CRC-32C, sequence numbers, log append and read.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "kinesisd/protocol/cbor_codec.hpp"
#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/protocol/validator.hpp"
#include "kinesisd/engine/hash_range.hpp"
#include "kinesisd/engine/sequence_number.hpp"
#include "kinesisd/storage/shard_log.hpp"
#include "kinesisd/util/base64.hpp"
#include "kinesisd/util/crc32c.hpp"
#include "kinesisd/util/uint128.hpp"

namespace {

void BM_HashPartitionKey(benchmark::State& state) {
  std::string key = "partition-key-0000";
  uint64_t i = 0;
  for (auto _ : state) {
    key[14] = static_cast<char>('0' + (i++ % 10));
    benchmark::DoNotOptimize(kinesisd::hash_partition_key(key));
  }
}
BENCHMARK(BM_HashPartitionKey);

void BM_Base64Decode(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'x');
  const std::string text = kinesisd::base64_encode(data);
  for (auto _ : state) benchmark::DoNotOptimize(kinesisd::base64_decode(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Base64Decode)->Arg(100)->Arg(1 << 20);

std::string put_records_body(int n) {
  std::string body = R"({"StreamName":"bench","Records":[)";
  const std::string data = kinesisd::base64_encode(std::string(100, 'd'));
  for (int i = 0; i < n; ++i) {
    if (i) body += ",";
    body += R"({"Data":")" + data + R"(","PartitionKey":"key-)" + std::to_string(i) + R"("})";
  }
  return body + "]}";
}

void BM_DecodeAndValidatePutRecords500(benchmark::State& state) {
  const auto& model = kinesisd::protocol::ServiceModel::instance();
  const auto* op = model.find_operation("PutRecords");
  const std::string body = put_records_body(500);
  for (auto _ : state) {
    std::string copy = body;
    rapidjson::Document doc;
    auto s = kinesisd::protocol::json_decode_input(copy, *op->input, doc);
    auto v = kinesisd::protocol::validate_input(*op->input, doc);
    benchmark::DoNotOptimize(s.ok() && v.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 500);
}
BENCHMARK(BM_DecodeAndValidatePutRecords500);

// The same 500-record PutRecords as CBOR, written as Jackson writes it (indefinite-length maps).
std::string put_records_cbor(int n) {
  auto text = [](std::string& out, const std::string& s) {
    out.push_back(static_cast<char>(0x78));  // text, 1-byte length
    out.push_back(static_cast<char>(s.size()));
    out += s;
  };
  std::string body = "\xbf";
  text(body, "StreamName");
  text(body, "bench");
  text(body, "Records");
  body += "\x99";  // array, 2-byte length
  body.push_back(static_cast<char>(n >> 8));
  body.push_back(static_cast<char>(n & 0xFF));
  for (int i = 0; i < n; ++i) {
    body += "\xbf";
    text(body, "Data");
    body.push_back(static_cast<char>(0x58));  // bytes, 1-byte length
    body.push_back(static_cast<char>(100));
    body += std::string(100, 'd');
    text(body, "PartitionKey");
    text(body, "key-" + std::to_string(i));
    body += "\xff";
  }
  return body + "\xff";
}

void BM_DecodeAndValidatePutRecords500Cbor(benchmark::State& state) {
  const auto* op = kinesisd::protocol::ServiceModel::instance().find_operation("PutRecords");
  const std::string body = put_records_cbor(500);
  for (auto _ : state) {
    rapidjson::Document doc;
    auto s = kinesisd::protocol::cbor_decode_input(body, *op->input, doc);
    auto v = kinesisd::protocol::validate_input(*op->input, doc);
    if (!s.ok() || !v.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 500);
}
BENCHMARK(BM_DecodeAndValidatePutRecords500Cbor);

// Routing: MD5 of the partition key, then the shard whose range holds it (binary search over 64 shards).
void BM_RoutePartitionKey(benchmark::State& state) {
  const auto ranges = kinesisd::engine::split_evenly(64);
  std::string key = "customer-000000";
  uint64_t i = 0;
  for (auto _ : state) {
    key[14] = static_cast<char>('0' + (i++ % 10));
    const auto hash = kinesisd::hash_partition_key(key);
    auto it = std::lower_bound(ranges.begin(), ranges.end(), hash,
                               [](const kinesisd::engine::HashRange& r, kinesisd::uint128 h) { return r.end < h; });
    benchmark::DoNotOptimize(it);
  }
}
BENCHMARK(BM_RoutePartitionKey);

void BM_Crc32c(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'c');
  for (auto _ : state) benchmark::DoNotOptimize(kinesisd::crc32c(data.data(), data.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(128)->Arg(64 * 1024);

void BM_SequenceNumberToString(benchmark::State& state) {
  kinesisd::engine::SequenceNumber seq{1795000000, 7, 0, 0};
  for (auto _ : state) {
    ++seq.position;
    benchmark::DoNotOptimize(seq.to_string());
  }
}
BENCHMARK(BM_SequenceNumberToString);

struct TempLog {
  std::string dir;
  std::unique_ptr<kinesisd::storage::ShardLog> log;
  TempLog() {
    char tmpl[] = "/tmp/kinesisd-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    std::vector<std::string> report;
    log = std::move(kinesisd::storage::ShardLog::open(dir, {}, report).value());
  }
  ~TempLog() {
    log.reset();
    std::filesystem::remove_all(dir);
  }
};

// Appending a batch of 500 records of 100 bytes (one write(2), no fsync): the group-commit unit of work.
void BM_ShardLogAppend500(benchmark::State& state) {
  TempLog t;
  const std::string data(100, 'd');
  const std::string key = "partition-key";
  uint64_t position = 0;
  std::vector<kinesisd::storage::RecordView> batch(500);
  for (auto _ : state) {
    for (auto& r : batch) r = {position++, 1795000000000, 0, key, data};
    auto s = t.log->append(batch, false);
    benchmark::DoNotOptimize(s.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 500);
}
BENCHMARK(BM_ShardLogAppend500);

// Reading 1000 records of 100 bytes from the page cache, CRC-checked and copied out.
void BM_ShardLogRead1000(benchmark::State& state) {
  TempLog t;
  const std::string data(100, 'd');
  const std::string key = "partition-key";
  std::vector<kinesisd::storage::RecordView> batch;
  for (uint64_t p = 0; p < 100000; ++p) batch.push_back({p, 1795000000000, 0, key, data});
  if (!t.log->append(batch, false).ok()) state.SkipWithError("append failed");
  uint64_t from = 0;
  for (auto _ : state) {
    auto r = t.log->read(from, 1000, 10 * 1024 * 1024);
    from = (from + 1000) % 99000;
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_ShardLogRead1000);

}  // namespace
