// application/vnd.amazon.eventstream framing: layout, checksums, and the decoder's refusals.
#include <gtest/gtest.h>

#include <string>

#include "kinesisd/protocol/event_stream.hpp"
#include "kinesisd/util/crc32.hpp"

namespace kinesisd::protocol {
namespace {

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

TEST(Crc32, KnownVectors) {
  EXPECT_EQ(crc32("", 0), 0u);
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

TEST(EventStream, EmptyMessageMatchesTheSpecExample) {
  // AWS's smallest valid message: no headers, no payload (total 16, prelude CRC 0x05c248eb).
  const std::string m = encode_event_message({}, "");
  ASSERT_EQ(m.size(), 16u);
  EXPECT_EQ(be32(m, 0), 16u);
  EXPECT_EQ(be32(m, 4), 0u);
  EXPECT_EQ(be32(m, 8), 0x05c248ebu);
  EXPECT_EQ(be32(m, 12), 0x7d98c8ffu);
}

TEST(EventStream, LayoutOfAnEvent) {
  const std::string m = encode_event("SubscribeToShardEvent", "application/json", R"({"Records":[]})");
  EXPECT_EQ(be32(m, 0), m.size());
  const uint32_t headers_len = be32(m, 4);
  EXPECT_EQ(be32(m, 8), crc32(m.data(), 8));
  EXPECT_EQ(be32(m, m.size() - 4), crc32(m.data(), m.size() - 4));
  EXPECT_EQ(m.substr(12 + headers_len, m.size() - 16 - headers_len), R"({"Records":[]})");
  // First header: ":event-type", string (7), 21 bytes.
  EXPECT_EQ(uint8_t(m[12]), 11);
  EXPECT_EQ(m.substr(13, 11), ":event-type");
  EXPECT_EQ(uint8_t(m[24]), 7);
  EXPECT_EQ((uint8_t(m[25]) << 8) | uint8_t(m[26]), 21);
  EXPECT_EQ(m.substr(27, 21), "SubscribeToShardEvent");
}

TEST(EventStream, RoundTripsEventsAndExceptions) {
  const std::string payload("\x00\x01\xff{}", 5);
  const std::string wire = encode_event("initial-response", "application/json", "{}") +
                           encode_exception("ResourceInUseException", "application/json", payload);
  size_t used = 0;
  auto first = decode_event_message(wire, used);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->header(":message-type"), "event");
  EXPECT_EQ(first->header(":event-type"), "initial-response");
  EXPECT_EQ(first->header(":content-type"), "application/json");
  EXPECT_EQ(first->payload, "{}");
  size_t used2 = 0;
  auto second = decode_event_message(std::string_view(wire).substr(used), used2);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(used + used2, wire.size());
  EXPECT_EQ(second->header(":message-type"), "exception");
  EXPECT_EQ(second->header(":exception-type"), "ResourceInUseException");
  EXPECT_EQ(second->payload, payload);
  EXPECT_EQ(second->header(":missing"), "");
}

TEST(EventStream, DecoderRefusesDamage) {
  const std::string m = encode_event("SubscribeToShardEvent", "application/json", "{\"a\":1}");
  size_t used = 0;
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, m.size() - 1}) {
    auto r = decode_event_message(std::string_view(m).substr(0, cut), used);
    ASSERT_FALSE(r) << "prefix of " << cut;
    EXPECT_EQ(r.error().message, "incomplete");
  }
  std::string prelude = m;
  prelude[2] ^= 1;
  EXPECT_EQ(decode_event_message(prelude, used).error().message, "prelude checksum mismatch");
  std::string body = m;
  body[m.size() - 6] ^= 0x40;
  EXPECT_EQ(decode_event_message(body, used).error().message, "message checksum mismatch");
}

TEST(EventStream, DecoderReadsEveryHeaderType) {
  // Hand-built headers: bool true, byte -2, int 70000, timestamp, byte array.
  std::string headers;
  auto name = [&](const char* n) {
    headers.push_back(char(std::char_traits<char>::length(n)));
    headers += n;
  };
  name("t");
  headers.push_back(0);
  name("b");
  headers.push_back(2);
  headers.push_back(char(0xFE));
  name("i");
  headers.push_back(4);
  headers += std::string("\x00\x01\x11\x70", 4);
  name("ts");
  headers.push_back(8);
  headers += std::string("\x00\x00\x01\x8b\xcf\xe5\x68\x00", 8);
  name("ba");
  headers.push_back(6);
  headers += std::string("\x00\x02\xAB\xCD", 4);
  std::string m;
  auto put = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) m.push_back(char(v >> s));
  };
  put(uint32_t(16 + headers.size()));
  put(uint32_t(headers.size()));
  put(crc32(m.data(), 8));
  m += headers;
  put(crc32(m.data(), m.size()));
  size_t used = 0;
  auto r = decode_event_message(m, used);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->header("t"), "true");
  EXPECT_EQ(r->header("b"), "-2");
  EXPECT_EQ(r->header("i"), "70000");
  EXPECT_EQ(r->header("ts"), "1700000000000");
  EXPECT_EQ(r->header("ba"), "\xAB\xCD");
  EXPECT_TRUE(r->payload.empty());
}

}  // namespace
}  // namespace kinesisd::protocol
