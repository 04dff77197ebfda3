// Hot paths of the front end: routing hash, base64, request decoding and validation.
#include <benchmark/benchmark.h>

#include <string>

#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/protocol/validator.hpp"
#include "kinesisd/util/base64.hpp"
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

}  // namespace
