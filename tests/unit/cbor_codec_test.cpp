// protocol::cbor_decode_input / cbor_encode_output / cbor_encode_error (application/x-amz-cbor-1.1).
// Inputs are built with the small CBOR writers below; outputs are read back with a small strict reader.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kinesisd/protocol/cbor_codec.hpp"
#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/protocol/validator.hpp"

namespace kinesisd::protocol {
namespace {

// ---- CBOR writers (preferred serialization unless a width is forced) ----
// clang-format off
std::string head(int major, uint64_t n, int width = -1) {  // width: 0 = inline, 1/2/4/8 bytes, -1 = shortest
  if (width < 0) width = n < 24 ? 0 : n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffULL ? 4 : 8;
  const int info = width == 0 ? static_cast<int>(n) : 24 + std::countr_zero(static_cast<unsigned>(width));
  std::string s(1, static_cast<char>((major << 5) | info));
  for (int i = width - 1; i >= 0; --i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return s;
}
std::string T(std::string_view s) { return head(3, s.size()) + std::string(s); }
std::string B(std::string_view s) { return head(2, s.size()) + std::string(s); }
std::string U(uint64_t n) { return head(0, n); }
std::string I(int64_t n) { return n >= 0 ? U(n) : head(1, static_cast<uint64_t>(-1 - n)); }
std::string Ts(uint64_t ms) { return "\xc1" + U(ms); }  // tag 1: epoch milliseconds
std::string cat(std::initializer_list<std::string> parts) {
  std::string s;
  for (const auto& p : parts) s += p;
  return s;
}
std::string M(std::initializer_list<std::string> kv) { return head(5, kv.size() / 2) + cat(kv); }
std::string A(std::initializer_list<std::string> items) { return head(4, items.size()) + cat(items); }
std::string F16(uint16_t bits) { return head(7, bits, 2); }
std::string F32(float f) { return head(7, std::bit_cast<uint32_t>(f), 4); }
std::string F64(double d) { return head(7, std::bit_cast<uint64_t>(d), 8); }
// clang-format on
const std::string kTrue = "\xf5", kFalse = "\xf4", kNull = "\xf6", kBreak = "\xff";
std::string all_bytes(size_t n = 256) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// ---- strict reader for encoder output (definite lengths only, no trailing bytes) ----
struct Item {
  int major = 0;           // 0..7
  uint64_t n = 0;          // argument: uint / neg / tag number / simple value
  std::string s;           // bytes or text
  std::vector<Item> kids;  // array items; map key,value,...; tag content
  const Item* get(std::string_view key) const {
    for (size_t i = 0; major == 5 && i + 1 < kids.size(); i += 2)
      if (kids[i].major == 3 && kids[i].s == key) return &kids[i + 1];
    return nullptr;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (size_t i = 0; major == 5 && i < kids.size(); i += 2) k.push_back(kids[i].s);
    return k;
  }
};
struct Reader {
  std::string_view in;
  size_t pos = 0;
  bool read(Item& out, int depth = 0) {
    if (depth > 100 || pos >= in.size()) return false;
    const auto ib = static_cast<uint8_t>(in[pos++]);
    out.major = ib >> 5;
    const int info = ib & 31;
    if (info > 27) return false;  // indefinite lengths and reserved values are not expected from the encoder
    const int width = info < 24 ? 0 : 1 << (info - 24);
    if (in.size() - pos < static_cast<size_t>(width)) return false;
    out.n = info < 24 ? static_cast<uint64_t>(info) : 0;
    for (int i = 0; i < width; ++i) out.n = (out.n << 8) | static_cast<uint8_t>(in[pos++]);
    switch (out.major) {
      case 2:
      case 3:
        if (in.size() - pos < out.n) return false;
        out.s = std::string(in.substr(pos, out.n));
        pos += out.n;
        return true;
      case 4:
      case 5:
        for (uint64_t i = 0; i < out.n * (out.major == 5 ? 2 : 1); ++i)
          if (!read(out.kids.emplace_back(), depth + 1)) return false;
        return true;
      case 6:
        return read(out.kids.emplace_back(), depth + 1);
      case 7:
        return width != 2 &&
               width != 4;  // simple values or float64: the encoder has no reason for short floats
      default:
        return true;
    }
  }
};
std::optional<Item> parse(std::string_view bytes) {
  Reader r{bytes};
  Item item;
  if (!r.read(item) || r.pos != bytes.size()) return std::nullopt;
  return item;
}
std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) h += std::string{d[c >> 4], d[c & 15], ' '};
  return h;
}

// ---- decoding helpers ----
struct Decoded {
  std::string body;
  rapidjson::Document doc;
  Status status;
};
const Shape& input_of(const std::string& op) {
  const Operation* o = ServiceModel::instance().find_operation(op);
  if (o == nullptr) throw std::runtime_error("no operation " + op);
  return *o->input;
}
std::unique_ptr<Decoded> decode(const Shape& shape, std::string body) {
  auto d = std::make_unique<Decoded>();
  d->body = std::move(body);
  d->status = cbor_decode_input(d->body, shape, d->doc);
  return d;
}
std::unique_ptr<Decoded> decode(const std::string& op, std::string body) {
  return decode(input_of(op), body);
}
// "ok", "ser" (SerializationException) or "other:<code>".
std::string outcome(const std::string& op, const std::string& body) {
  auto d = decode(op, body);
  if (d->status.ok()) return "ok";
  if (d->status.error().code == ErrorCode::kSerialization) return "ser";
  return "other:" + std::to_string(static_cast<int>(d->status.error().code));
}
#define EXPECT_SER(op, body) EXPECT_EQ(outcome(op, body), "ser") << hex(body)

TEST(CborDecode, ContentType) {
  EXPECT_EQ(kCborContentType, "application/x-amz-cbor-1.1");
}

TEST(CborDecode, PutRecordsAllByteValuesRoundTripThroughValidator) {
  std::string records = head(4, 257) + M({T("Data"), B(all_bytes()), T("PartitionKey"), T("all")});
  for (int i = 0; i < 256; ++i)
    records += M({T("PartitionKey"), T("k" + std::to_string(i)), T("Data"), B(std::string(1, char(i)))});
  auto d = decode("PutRecords", M({T("StreamName"), T("s"), T("Records"), records}));
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  ASSERT_TRUE(validate_input(input_of("PutRecords"), d->doc).ok());
  const auto& recs = d->doc["Records"];
  ASSERT_EQ(recs.Size(), 257u);
  EXPECT_EQ(std::string(recs[0]["Data"].GetString(), recs[0]["Data"].GetStringLength()), all_bytes());
  for (int i = 0; i < 256; ++i) {
    const auto& data = recs[i + 1]["Data"];
    ASSERT_EQ(data.GetStringLength(), 1u) << i;
    EXPECT_EQ(static_cast<uint8_t>(data.GetString()[0]), i);
    EXPECT_EQ(std::string(recs[i + 1]["PartitionKey"].GetString()), "k" + std::to_string(i));
  }
}

TEST(CborDecode, TimestampTag1IsMillisecondsInEveryWidthAndAsFloat) {
  const std::string base = cat({T("StreamName"), T("s"), T("ShardId"), T("shardId-000000000000"),
                                T("ShardIteratorType"), T("AT_TIMESTAMP"), T("Timestamp")});
  const std::pair<std::string, int64_t> cases[] = {{Ts(1795361918756), 1795361918756},
                                                   {"\xc1" + head(0, 1795361918756, 8), 1795361918756},
                                                   {"\xc1" + head(0, 7, 0), 7},
                                                   {"\xc1" + head(0, 7, 1), 7},
                                                   {"\xc1" + head(0, 300, 2), 300},
                                                   {"\xc1" + head(0, 70000, 4), 70000},
                                                   {"\xc1" + F64(1795361918756.0), 1795361918756},
                                                   {"\xc1" + F32(65536.0f), 65536},
                                                   {"\xc1" + F16(0x3c00), 1}};
  for (const auto& [ts, ms] : cases) {
    auto d = decode("GetShardIterator", head(5, 4) + base + ts);
    ASSERT_TRUE(d->status.ok()) << hex(ts) << d->status.error().message;
    ASSERT_TRUE(d->doc["Timestamp"].IsInt64()) << hex(ts);
    EXPECT_EQ(d->doc["Timestamp"].GetInt64(), ms) << hex(ts);
    EXPECT_TRUE(validate_input(input_of("GetShardIterator"), d->doc).ok()) << hex(ts);
  }
  auto nested =
      decode("ListShards",
             M({T("ShardFilter"), M({T("Type"), T("AT_TIMESTAMP"), T("Timestamp"), Ts(1700000000123)})}));
  ASSERT_TRUE(nested->status.ok());
  EXPECT_EQ(nested->doc["ShardFilter"]["Timestamp"].GetInt64(), 1700000000123);
}

TEST(CborDecode, TimestampWrongTypesAndNonFiniteFloats) {
  for (const std::string& bad : {T("2026-01-01"), "\xc1" + T("1700000000"), B("x"), kTrue, A({}), M({}),
                                 "\xc1" + F64(INFINITY), "\xc1" + F64(NAN), "\xc1" + F64(1e300)})
    EXPECT_SER("ListShards", M({T("StreamCreationTimestamp"), bad}));
}

TEST(CborDecode, IndefiniteLengthMapsArraysAndChunkedStrings) {
  // As Jackson writes: 0xBF ... 0xFF maps, 0x9F ... 0xFF arrays, 0x5F/0x7F chunked strings.
  const std::string body = "\xbf" + T("StreamName") + "\x7f" + T("my-") + T("") + T("stream") + kBreak +
                           T("Records") + "\x9f" + "\xbf" + T("Data") + "\x5f" +
                           B(std::string("\x00\x01", 2)) + B("") + B(std::string("\xfe\xff\x00", 3)) +
                           kBreak + T("PartitionKey") + T("k") + kBreak + "\xbf" + T("Data") + "\x5f" +
                           kBreak + T("PartitionKey") + T("e") + kBreak + kBreak + kBreak;
  auto d = decode("PutRecords", body);
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  ASSERT_TRUE(validate_input(input_of("PutRecords"), d->doc).ok());
  EXPECT_EQ(std::string(d->doc["StreamName"].GetString()), "my-stream");
  ASSERT_EQ(d->doc["Records"].Size(), 2u);
  const auto& data = d->doc["Records"][0]["Data"];
  EXPECT_EQ(std::string(data.GetString(), data.GetStringLength()), std::string("\x00\x01\xfe\xff\x00", 5));
  EXPECT_EQ(d->doc["Records"][1]["Data"].GetStringLength(), 0u);
  EXPECT_EQ(outcome("ListStreams", "\xbf\xff"), "ok");
  // Chunks must be definite strings of the same major type; a break needs an open indefinite item.
  EXPECT_SER("PutRecord", M({T("Data"), "\x5f" + T("a") + kBreak}));
  EXPECT_SER("PutRecord", M({T("Data"), "\x5f\x5f\xff\xff"}));
  EXPECT_SER("PutRecord", M({T("StreamName"), "\x7f" + B("a") + kBreak}));
  EXPECT_SER("PutRecord", "\xbf" + T("StreamName") + kBreak);  // key without value
  EXPECT_SER("PutRecord", M({T("StreamName"), kBreak}));
  EXPECT_SER("PutRecord", "\xbf" + T("StreamName") + T("s"));  // no break
}

TEST(CborDecode, EveryIntegerWidth) {
  for (int w : {0, 1, 2, 4, 8}) {
    auto d = decode("CreateStream", M({T("StreamName"), T("s"), T("ShardCount"), head(0, 5, w)}));
    ASSERT_TRUE(d->status.ok()) << w;
    ASSERT_TRUE(d->doc["ShardCount"].IsInt64());
    EXPECT_EQ(d->doc["ShardCount"].GetInt64(), 5) << w;
    EXPECT_TRUE(validate_input(input_of("CreateStream"), d->doc).ok());
  }
  auto model = ServiceModel::parse(R"({"metadata":{"targetPrefix":"T"},"operations":{},
      "shapes":{"In":{"type":"structure","members":{"N":{"shape":"N"}}},"N":{"type":"long"}}})");
  const Shape& in = *model->find_shape("In");
  const int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  for (int64_t v :
       {int64_t{0}, int64_t{23}, int64_t{24}, int64_t{255}, int64_t{256}, int64_t{65535}, int64_t{65536},
        int64_t{4294967295}, int64_t{4294967296}, kMax, int64_t{-1}, int64_t{-24}, int64_t{-25},
        int64_t{-256}, int64_t{-257}, int64_t{-65537}, int64_t{-4294967297}, kMin}) {
    auto d = decode(in, M({T("N"), I(v)}));
    ASSERT_TRUE(d->status.ok()) << v;
    ASSERT_TRUE(d->doc["N"].IsInt64()) << v;
    EXPECT_EQ(d->doc["N"].GetInt64(), v);
  }
  for (const std::string& huge : {std::string("\x1b\xff\xff\xff\xff\xff\xff\xff\xff", 9),
                                  std::string("\x3b\xff\xff\xff\xff\xff\xff\xff\xff", 9),
                                  std::string("\x1b\x80\x00\x00\x00\x00\x00\x00\x00", 9)}) {
    auto d = decode(in, M({T("N"), huge}));  // beyond int64: refused or clamped, never UB
    if (d->status.ok())
      EXPECT_TRUE(d->doc["N"].IsInt64());
    else
      EXPECT_EQ(d->status.error().code, ErrorCode::kSerialization);
  }
}

TEST(CborDecode, FloatsWhereIntegerExpectedGiveOkOrSerialization) {
  for (const std::string& f : {F16(0x4500), F16(0x7c00), F16(0x7e00), F16(0xfc00), F32(5.0f), F32(5.7f),
                               F32(3e38f), F64(5.0), F64(-5.5), F64(1e300), F64(NAN), F64(-INFINITY)}) {
    auto d = decode("CreateStream", M({T("StreamName"), T("s"), T("ShardCount"), f}));
    if (d->status.ok()) {
      EXPECT_TRUE(d->doc["ShardCount"].IsInt64()) << hex(f);
      (void)validate_input(input_of("CreateStream"), d->doc);
    } else {
      EXPECT_EQ(d->status.error().code, ErrorCode::kSerialization) << hex(f);
    }
  }
}

TEST(CborDecode, EveryTruncationIsSerializationException) {
  const std::string bodies[] = {
      M({T("StreamName"), T("s"), T("Records"),
         A({M({T("Data"), B(all_bytes()), T("PartitionKey"), T("k")})})}),
      "\xbf" + T("ShardId") + "\x7f" + T("shardId-") + kBreak + T("Timestamp") + Ts(1795361918756) + kBreak,
      M({T("StreamName"), T("s"), T("Tags"), M({T("a"), T("b")}), T("ShardCount"), U(2)})};
  const char* ops[] = {"PutRecords", "GetShardIterator", "CreateStream"};
  for (int b = 0; b < 3; ++b) {
    ASSERT_EQ(outcome(ops[b], bodies[b]), "ok") << b;
    for (size_t n = 0; n < bodies[b].size(); ++n)
      EXPECT_EQ(outcome(ops[b], bodies[b].substr(0, n)), "ser") << n;
  }
}

TEST(CborDecode, MalformedOrNonMapBodies) {
  // clang-format off
  const std::string bad[] = {
      "", std::string(1, '\0'), "\x80", "\x9f\xff", T("x"), B("x"), "\x01", kNull, kTrue, "\xc1\xa0", "\xff",
      std::string("\xa0\x00", 2), "\xa0\xa0", "\xbf\xff\xff", "\xa1" + U(1) + T("x"), "\xa1" + kNull + T("x"),
      "\xa1" + B("StreamName") + T("x"), "\xbc", "\xbd", "\xbe", M({T("StreamName"), "\x1c"}),
      M({T("StreamName"), "\x3f"}), M({T("x"), "\xdf"}),
      M({T("Data"), std::string("\x5b\xff\xff\xff\xff\xff\xff\xff\xff", 9)}),
      std::string("\xbb\xff\xff\xff\xff\xff\xff\xff\xff", 9),
      M({T("x"), std::string("\x9b\x7f\xff\xff\xff\xff\xff\xff\xff", 9)}),
      M({T("x"), std::string("\x7b\x00\x00\x00\x00\xff\xff\xff\xff", 9) + "abc"})};
  // clang-format on
  for (const auto& body : bad) EXPECT_SER("PutRecord", body);
}

TEST(CborDecode, InvalidUtf8TextIsSerializationExceptionAndNullIsAbsent) {
  for (const std::string bad : std::initializer_list<std::string>{"k\xff\xfe", "\xc0\xaf", "\xed\xa0\x80"})
    EXPECT_SER("PutRecord", M({T("StreamName"), T("s"), T("PartitionKey"), T(bad), T("Data"), B("x")}));
  EXPECT_SER("AddTagsToStream", M({T("StreamName"), T("s"), T("Tags"), M({T("k\xff"), T("v")})}));
  EXPECT_SER("PutRecord",
             M({T("StreamName"), T("s"), T("Data"), B("x"), T("\xff"), T("x")}));  // a key, unknown
  auto d = decode("PutRecord", M({T("StreamName"), T("s"), T("PartitionKey"), "\xf6", T("Data"), B("x")}));
  ASSERT_TRUE(d->status.ok());
  EXPECT_FALSE(d->doc.HasMember("PartitionKey"));
  EXPECT_EQ(outcome("PutRecord",
                    M({T("StreamName"), T("s"), T("PartitionKey"), T("caf\xc3\xa9"), T("Data"), B("\xff")})),
            "ok");
}

TEST(CborDecode, NestingLimit) {
  auto nested = [](int depth, const std::string& open, const std::string& leaf) {
    std::string v;
    for (int i = 0; i < depth; ++i) v += open;
    return M({T("StreamName"), T("s"), T("Bogus"), v + leaf});
  };
  EXPECT_EQ(outcome("ListStreams", nested(30, "\x81", "\x01")), "ok");
  EXPECT_SER("ListStreams", nested(100, "\x81", "\x01"));
  EXPECT_SER("ListStreams", nested(100, "\xa1\x61k", "\x01"));
  EXPECT_SER("ListStreams", nested(200000, "\x81", "\x01"));  // must not overflow the stack
  EXPECT_SER("ListStreams", nested(200000, "\x9f", ""));
  EXPECT_SER("ListStreams", nested(200000, "\xc1", "\x01"));  // tags nest too
}

TEST(CborDecode, WrongTypesAreSerializationException) {
  for (const std::string& v : {U(1), I(-1), B("s"), kTrue, A({T("s")}), M({}), F64(1.5)})
    EXPECT_SER("CreateStream", M({T("StreamName"), v}));
  for (const std::string& v : {T("AAAA"), T(""), U(3), kFalse, A({}), M({})})
    EXPECT_SER("PutRecord", M({T("StreamName"), T("s"), T("PartitionKey"), T("k"), T("Data"), v}));
  for (const std::string& v : {T("1"), B("\x01"), kTrue, A({U(1)}), M({})})
    EXPECT_SER("CreateStream", M({T("StreamName"), T("s"), T("ShardCount"), v}));
  for (const std::string& v : {U(1), T("true"), B("\x01"), A({}), M({})})
    EXPECT_SER("DeleteStream", M({T("StreamName"), T("s"), T("EnforceConsumerDeletion"), v}));
  for (const std::string& v : {T("PROVISIONED"), U(5), A({})})
    EXPECT_SER("CreateStream", M({T("StreamModeDetails"), v}));
  for (const std::string& v : {T("x"), U(1), M({}), kTrue}) EXPECT_SER("PutRecords", M({T("Records"), v}));
  EXPECT_SER("PutRecords", M({T("Records"), A({T("x")})}));
  EXPECT_SER("PutRecords", M({T("Records"), A({M({T("Data"), B(""), T("PartitionKey"), U(7)})})}));
  EXPECT_SER("PutRecords", M({T("Records"), A({M({T("Data"), T("AAAA"), T("PartitionKey"), T("k")})})}));
  for (const std::string& v : {T("x"), A({})}) EXPECT_SER("CreateStream", M({T("Tags"), v}));
  EXPECT_SER("CreateStream", M({T("Tags"), M({T("k"), U(1)})}));
  EXPECT_SER("CreateStream", M({T("Tags"), M({U(1), T("v")})}));
  EXPECT_EQ(outcome("DeleteStream", M({T("StreamName"), T("s"), T("EnforceConsumerDeletion"), kTrue})), "ok");
}

TEST(CborDecode, UnknownMembersIgnoredAndNullsSkipped) {
  const std::string junk =
      A({F16(0x3c00), F32(1.5f), kNull, "\xf7", "\xc0" + T("2026"), "\x5f" + B("a") + kBreak,
         "\xbf" + T("x") + "\x9f\x01\xff" + kBreak, I(-100), B(all_bytes())});
  auto d =
      decode("CreateStream", M({T("Bogus"), junk, T("StreamName"), T("a"), T("shardcount"), T("no"),
                                T("ShardCount"), U(1), T("Tags"), kNull, T("StreamModeDetails"), kNull}));
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  EXPECT_STREQ(d->doc["StreamName"].GetString(), "a");
  EXPECT_EQ(d->doc["ShardCount"].GetInt64(), 1);
  EXPECT_TRUE(validate_input(input_of("CreateStream"), d->doc).ok());
}

TEST(CborDecode, LargeMapDecodesInLinearTime) {
  // Tags is decoded before validation refuses more than 50 of them, so any client can send a 16 MiB map:
  // 20000 distinct keys must take about as long as JSON's (milliseconds), not seconds of quadratic work.
  std::string tags = head(5, 20000);
  char key[16];
  for (int i = 0; i < 20000; ++i)
    tags += T(std::string(key, std::snprintf(key, sizeof key, "k%06d", i))) + T("v");
  const auto start = std::chrono::steady_clock::now();
  auto d = decode("CreateStream", M({T("StreamName"), T("s"), T("Tags"), tags}));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(d->status.ok());
  EXPECT_EQ(d->doc["Tags"].MemberCount(), 20000u);
  EXPECT_LT(ms, 1000) << "20000-entry map took " << ms << " ms";
}

// ---- encoding ----
const Shape* output_of(const std::string& op) {
  return ServiceModel::instance().find_operation(op)->output;
}

TEST(CborEncode, PutRecordOutputExactBytes) {
  rapidjson::Document v;
  v.Parse(R"({"EncryptionType":"NONE","SequenceNumber":"49","ShardId":"shardId-000000000000","Extra":1})");
  const std::string expected =
      "\xa3"
      "\x67ShardId"
      "\x74shardId-000000000000"
      "\x6eSequenceNumber"
      "\x62"
      "49"
      "\x6e"
      "EncryptionType"
      "\x64NONE";
  EXPECT_EQ(hex(cbor_encode_output(output_of("PutRecord"), v)), hex(expected));
}

TEST(CborEncode, GetRecordsSmallOutputExactBytes) {
  rapidjson::Document v;
  v.Parse(R"({"MillisBehindLatest":5,"NextShardIterator":null,"Records":[{"PartitionKey":"k","Data":"",
      "ApproximateArrivalTimestamp":1000,"SequenceNumber":"1"}]})");
  v["Records"][0]["Data"].SetString("\x00\xff", 2, v.GetAllocator());
  const std::string expected = std::string(
                                   "\xa2\x67Records\x81\xa4\x6eSequenceNumber\x61"
                                   "1") +
                               "\x78\x1b"
                               "ApproximateArrivalTimestamp"
                               "\xc1\x19\x03\xe8" +
                               "\x64"
                               "Data" +
                               std::string("\x42\x00\xff", 3) +
                               "\x6c"
                               "PartitionKey"
                               "\x61k" +
                               "\x72"
                               "MillisBehindLatest"
                               "\x05";
  EXPECT_EQ(hex(cbor_encode_output(output_of("GetRecords"), v)), hex(expected));
}

TEST(CborEncode, GetRecordsBlobAndTimestampDecodeToBytesAndTag1Milliseconds) {
  rapidjson::Document v;
  v.Parse(R"({"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898",
      "ApproximateArrivalTimestamp":1795361918756,"Data":"","PartitionKey":"pk","EncryptionType":"KMS"}],
      "NextShardIterator":"AAAA","MillisBehindLatest":86400000,"ChildShards":[]})");
  const std::string all = all_bytes();
  v["Records"][0]["Data"].SetString(all.data(), 256, v.GetAllocator());
  const auto item = parse(cbor_encode_output(output_of("GetRecords"), v));
  ASSERT_TRUE(item.has_value()) << "not well-formed definite-length CBOR";
  EXPECT_EQ(item->keys(),
            (std::vector<std::string>{"Records", "NextShardIterator", "MillisBehindLatest", "ChildShards"}));
  const Item* recs = item->get("Records");
  ASSERT_TRUE(recs != nullptr && recs->major == 4 && recs->kids.size() == 1);
  const Item& r = recs->kids[0];
  EXPECT_EQ(r.keys(), (std::vector<std::string>{"SequenceNumber", "ApproximateArrivalTimestamp", "Data",
                                                "PartitionKey", "EncryptionType"}));
  const Item* ts = r.get("ApproximateArrivalTimestamp");
  ASSERT_TRUE(ts != nullptr);
  EXPECT_EQ(ts->major, 6);
  EXPECT_EQ(ts->n, 1u);
  ASSERT_EQ(ts->kids.size(), 1u);
  EXPECT_EQ(ts->kids[0].major, 0);
  EXPECT_EQ(ts->kids[0].n, 1795361918756u);
  EXPECT_EQ(r.get("Data")->major, 2);
  EXPECT_EQ(r.get("Data")->s, all);
  EXPECT_EQ(r.get("SequenceNumber")->major, 3);
  EXPECT_EQ(item->get("MillisBehindLatest")->major, 0);
  EXPECT_EQ(item->get("MillisBehindLatest")->n, 86400000u);
  EXPECT_EQ(item->get("ChildShards")->major, 4);
  EXPECT_TRUE(item->get("ChildShards")->kids.empty());
}

TEST(CborEncode, DecodeThenEncodeRoundTripsEveryShapeType) {
  auto model = ServiceModel::parse(R"({"metadata":{"targetPrefix":"T"},"operations":{},"shapes":{
      "S":{"type":"structure","members":{"Str":{"shape":"Str"},"Blob":{"shape":"Blob"},"Int":{"shape":"Int"},
        "Long":{"shape":"Long"},"Bool":{"shape":"Bool"},"Ts":{"shape":"Ts"},"List":{"shape":"List"},
        "Map":{"shape":"Map"},"Sub":{"shape":"Sub"}}},
      "Sub":{"type":"structure","members":{"B":{"shape":"Bool"},"L":{"shape":"Long"}}},
      "List":{"type":"list","member":{"shape":"Sub"}},
      "Map":{"type":"map","key":{"shape":"Str"},"value":{"shape":"Ts"}},
      "Str":{"type":"string"},"Blob":{"type":"blob"},"Int":{"type":"integer"},"Long":{"type":"long"},
      "Bool":{"type":"boolean"},"Ts":{"type":"timestamp"}}})");
  const Shape& s = *model->find_shape("S");
  const std::string body =
      M({T("Str"), T("h\xc3\xa9llo"), T("Blob"), B(all_bytes(70000)), T("Int"), U(2147483647), T("Long"),
         I(-4294967297), T("Bool"), kFalse, T("Ts"), Ts(1795361918756), T("List"),
         A({M({T("B"), kTrue, T("L"), U(0)}), M({}), M({T("L"), I(-1)})}), T("Map"),
         M({T("z"), Ts(0), T("a"), Ts(1000)}), T("Sub"), M({T("B"), kTrue})});
  auto d = decode(s, body);
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  EXPECT_EQ(hex(cbor_encode_output(&s, d->doc)), hex(body));
}

TEST(CborEncode, NullShapeOrValueGivesEmptyMap) {
  rapidjson::Document v;
  v.Parse(R"({"StreamNames":["a"]})");
  EXPECT_EQ(cbor_encode_output(nullptr, v), "\xa0");
  rapidjson::Value null_value;
  EXPECT_EQ(cbor_encode_output(output_of("ListStreams"), null_value), "\xa0");
  rapidjson::Document empty;
  empty.SetObject();
  EXPECT_EQ(cbor_encode_output(output_of("ListStreams"), empty), "\xa0");
}

TEST(CborEncodeError, ExactBytes) {
  EXPECT_EQ(
      hex(cbor_encode_error("ResourceNotFoundException", "Stream x under account 000000000000 not found.")),
      hex("\xa2\x66__type\x78\x19ResourceNotFoundException\x67message\x78\x2e"
          "Stream x under account 000000000000 not found."));
  EXPECT_EQ(hex(cbor_encode_error("SerializationException", "")),
            hex("\xa1\x66__type\x76SerializationException"));
  EXPECT_EQ(hex(cbor_encode_error("X", "say \"hi\"\n")),
            hex("\xa2\x66__type\x61X\x67message\x69say \"hi\"\n"));
  const std::string long_msg(300, 'm');
  EXPECT_EQ(hex(cbor_encode_error("V", long_msg)),
            hex("\xa2\x66__type\x61V\x67message\x79\x01\x2c" + long_msg));
}

// ---- fuzz-ish: nothing may crash or trip the sanitizers; every failure is a SerializationException ----
void decode_any(const Shape& shape, const std::string& body) {
  rapidjson::Document doc;
  const Status s = cbor_decode_input(body, shape, doc);
  if (s.ok()) {
    (void)validate_input(shape, doc);
  } else {
    ASSERT_EQ(s.error().code, ErrorCode::kSerialization) << hex(body);
  }
}

TEST(CborFuzz, RandomBytesAndMutationsOfValidBodies) {
  // KINESISD_CBOR_FUZZ=<iterations>[:<seed>] runs longer or reseeded (default 10000, seed 20261122).
  const char* env = std::getenv("KINESISD_CBOR_FUZZ");
  const int rounds = env != nullptr ? std::atoi(env) : 10000;
  const char* seed = env != nullptr ? std::strchr(env, ':') : nullptr;
  std::mt19937_64 rng(seed != nullptr ? std::strtoull(seed + 1, nullptr, 10) : 20261122);
  auto byte = [&] { return static_cast<char>(rng() & 0xff); };
  const Shape& put_records = input_of("PutRecords");
  const Shape& list_shards = input_of("ListShards");
  for (int i = 0; i < rounds; ++i) {
    std::string body(rng() % 64, '\0');
    for (auto& c : body) c = byte();
    if (i % 2 == 0 && !body.empty()) body[0] = static_cast<char>(i % 4 == 0 ? 0xbf : 0xa0 | (rng() % 4));
    decode_any(i % 3 == 0 ? list_shards : put_records, body);
  }
  const std::string valid[] = {
      "\xbf" + T("StreamName") + T("s") + T("Records") + "\x9f" +
          M({T("Data"), "\x5f" + B("ab") + B(std::string("\x00\xff", 2)) + kBreak, T("PartitionKey"),
             T("k")}) +
          kBreak + kBreak,
      M({T("StreamName"), T("s"), T("ShardFilter"),
         M({T("Type"), T("AT_TIMESTAMP"), T("Timestamp"), Ts(1795361918756)}), T("MaxResults"), U(1000),
         T("StreamCreationTimestamp"), "\xc1" + F64(1.5e12)})};
  for (int i = 0; i < rounds; ++i) {
    std::string body = valid[i % 2];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      const size_t at = body.empty() ? 0 : rng() % body.size();
      // clang-format off
      switch (rng() % 4) {
        case 0: if (!body.empty()) body[at] = byte(); break;
        case 1: body.insert(body.begin() + static_cast<std::ptrdiff_t>(at), byte()); break;
        case 2: if (!body.empty()) body.erase(at, 1); break;
        default: body.resize(at); break;
      }
      // clang-format on
    }
    decode_any(i % 2 == 0 ? put_records : list_shards, body);
  }
}

}  // namespace
}  // namespace kinesisd::protocol
