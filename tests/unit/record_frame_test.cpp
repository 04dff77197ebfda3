// storage::append_frame / decode_frame / frame_size: the on-disk record frame of docs/log-format.md.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "kinesisd/storage/record_frame.hpp"
#include "kinesisd/util/crc32c.hpp"

namespace kinesisd::storage {
namespace {

std::string encode(uint64_t position, int64_t arrival, std::string_view key, std::string_view data,
                   uint8_t flags = 0) {
  RecordView r;
  r.position = position;
  r.arrival_ms = arrival;
  r.flags = flags;
  r.partition_key = key;
  r.data = data;
  std::string out;
  append_frame(r, out);
  return out;
}

uint32_t get_u32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
void put_u32(std::string& s, size_t at, uint32_t v) { std::memcpy(s.data() + at, &v, 4); }
void put_u16(std::string& s, size_t at, uint16_t v) { std::memcpy(s.data() + at, &v, 2); }

// Recomputes the checksum over type + payload, as the length field says, so a test can make a frame whose only
// defect is the one it means to test.
void reseal(std::string& frame) {
  const uint32_t length = get_u32(frame, 4);
  put_u32(frame, 0, crc32c_mask(crc32c(frame.data() + 8, 1 + length)));
}

FrameStatus decode(std::string_view bytes, RecordView* rec = nullptr, size_t* frame_bytes = nullptr,
                   size_t* needed = nullptr) {
  RecordView dummy_rec;
  size_t dummy_bytes = 0;
  return decode_frame(bytes, rec ? rec : &dummy_rec, frame_bytes ? frame_bytes : &dummy_bytes, needed);
}

void expect_round_trip(uint64_t position, int64_t arrival, const std::string& key, const std::string& data,
                       uint8_t flags = 0) {
  const std::string frame = encode(position, arrival, key, data, flags);
  RecordView in;
  in.partition_key = key;
  in.data = data;
  ASSERT_EQ(frame.size(), frame_size(in));
  RecordView out;
  size_t frame_bytes = 0, needed = 0;
  ASSERT_EQ(decode_frame(frame, &out, &frame_bytes, &needed), FrameStatus::kOk);
  EXPECT_EQ(frame_bytes, frame.size());
  EXPECT_EQ(out.position, position);
  EXPECT_EQ(out.arrival_ms, arrival);
  EXPECT_EQ(out.flags, flags);
  EXPECT_EQ(out.partition_key, key);
  EXPECT_EQ(out.data, data);
  // The views point into the frame buffer, not into copies.
  EXPECT_GE(out.data.data(), frame.data());
  EXPECT_LE(out.data.data() + out.data.size(), frame.data() + frame.size());
}

TEST(RecordFrameTest, RoundTripEmptyData) { expect_round_trip(0, 1700000000000, "k", ""); }

TEST(RecordFrameTest, RoundTripLongestKey) { expect_round_trip(42, 1, std::string(256, 'K'), "payload"); }

TEST(RecordFrameTest, RoundTripEveryByteValue) {
  std::string data, key;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  for (int i = 255; i >= 0; --i) key.push_back(static_cast<char>(i));
  expect_round_trip(7, 2, key, data);
}

TEST(RecordFrameTest, RoundTripOneMiB) {
  std::string data(1024 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) ^ (i >> 8));
  expect_round_trip(123456789, 1700000000123, "pk", data);
}

TEST(RecordFrameTest, RoundTripLargestPayload) {
  const std::string key(256, 'k');
  const std::string data(kMaxPayloadBytes - kPayloadFixedBytes - key.size(), 'd');  // 10 MiB + sealing overhead
  ASSERT_EQ(kPayloadFixedBytes + key.size() + data.size(), kMaxPayloadBytes);
  expect_round_trip(1, 1, key, data);
}

TEST(RecordFrameTest, RoundTripExtremeFields) {
  expect_round_trip(std::numeric_limits<uint64_t>::max(), std::numeric_limits<int64_t>::max(), "k", "v", 1);
  expect_round_trip(0, -1, "k", "v", 0xFF);
}

TEST(RecordFrameTest, FrameSizeAndLayout) {
  RecordView r;
  r.position = 0x0102030405060708ull;
  r.arrival_ms = 0x1112131415161718ll;
  r.flags = 1;
  r.partition_key = "key";
  r.data = "hello";
  EXPECT_EQ(frame_size(r), 9u + 19u + 3u + 5u);
  std::string out;
  append_frame(r, out);
  ASSERT_EQ(out.size(), frame_size(r));
  EXPECT_EQ(get_u32(out, 4), 19u + 3u + 5u);               // length covers the payload only
  EXPECT_EQ(static_cast<uint8_t>(out[8]), kFullRecord);    // type
  EXPECT_EQ(static_cast<uint8_t>(out[9]), 0x08);           // position, little-endian
  EXPECT_EQ(static_cast<uint8_t>(out[16]), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(out[17]), 0x18);          // arrival, little-endian
  EXPECT_EQ(static_cast<uint8_t>(out[25]), 1);             // flags
  EXPECT_EQ(static_cast<uint8_t>(out[26]), 3);             // key length, little-endian u16
  EXPECT_EQ(static_cast<uint8_t>(out[27]), 0);
  EXPECT_EQ(out.substr(28, 3), "key");
  EXPECT_EQ(out.substr(31), "hello");
  // checksum: masked CRC-32C of type + payload.
  EXPECT_EQ(get_u32(out, 0), crc32c_mask(crc32c(out.data() + 8, out.size() - 8)));
}

TEST(RecordFrameTest, AppendKeepsExistingBytesAndFramesDecodeInSequence) {
  std::string buf = "prefix";
  RecordView a{1, 10, 0, "a", "first"};
  RecordView b{2, 11, 0, "bb", ""};
  RecordView c{3, 11, 0, "c", std::string_view("x\0y", 3)};
  append_frame(a, buf);
  append_frame(b, buf);
  append_frame(c, buf);
  ASSERT_EQ(buf.size(), 6 + frame_size(a) + frame_size(b) + frame_size(c));
  EXPECT_EQ(buf.substr(0, 6), "prefix");
  std::string_view rest(buf);
  rest.remove_prefix(6);
  uint64_t expected_position = 1;
  for (const RecordView* want : {&a, &b, &c}) {
    RecordView got;
    size_t n = 0;
    ASSERT_EQ(decode(rest, &got, &n), FrameStatus::kOk);
    EXPECT_EQ(got.position, expected_position++);
    EXPECT_EQ(got.partition_key, want->partition_key);
    EXPECT_EQ(got.data, want->data);
    EXPECT_EQ(n, frame_size(*want));
    rest.remove_prefix(n);
  }
  EXPECT_TRUE(rest.empty());
}

TEST(RecordFrameTest, TrailingBytesAfterFrameAreNotConsumed) {
  std::string frame = encode(5, 5, "k", "data");
  const size_t size = frame.size();
  frame += std::string(100, '\x7F');
  size_t n = 0;
  RecordView rec;
  ASSERT_EQ(decode(frame, &rec, &n), FrameStatus::kOk);
  EXPECT_EQ(n, size);
  EXPECT_EQ(rec.data, "data");
}

TEST(RecordFrameTest, PrefixIsIncompleteWithNeededOnceHeaderReadable) {
  const std::string frame = encode(9, 9, "key", std::string(100, 'z'));
  for (size_t len = 0; len < frame.size(); ++len) {
    size_t needed = 777777;
    const FrameStatus fs = decode(std::string_view(frame.data(), len), nullptr, nullptr, &needed);
    ASSERT_EQ(fs, FrameStatus::kIncomplete) << "len=" << len;
    if (len >= kFrameHeaderBytes) {
      EXPECT_EQ(needed, frame.size()) << "len=" << len;
    } else {
      EXPECT_EQ(needed, 777777u) << "len=" << len;  // nothing known yet
    }
  }
  // A null `needed` is allowed.
  RecordView rec;
  size_t n = 0;
  EXPECT_EQ(decode_frame(std::string_view(frame.data(), 20), &rec, &n, nullptr), FrameStatus::kIncomplete);
}

TEST(RecordFrameTest, FlippedPayloadByteIsCorrupt) {
  const std::string frame = encode(3, 4, "key", "some data bytes");
  for (size_t i = kFrameHeaderBytes; i < frame.size(); ++i) {
    std::string bad = frame;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(decode(bad), FrameStatus::kCorrupt) << "byte " << i;
  }
}

TEST(RecordFrameTest, FlippedChecksumIsCorrupt) {
  const std::string frame = encode(3, 4, "key", "data");
  for (size_t i = 0; i < 4; ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      std::string bad = frame;
      bad[i] = static_cast<char>(bad[i] ^ bit);
      EXPECT_EQ(decode(bad), FrameStatus::kCorrupt) << "byte " << i;
    }
  }
  // An unmasked CRC is not accepted either.
  std::string unmasked = frame;
  put_u32(unmasked, 0, crc32c(frame.data() + 8, frame.size() - 8));
  EXPECT_EQ(decode(unmasked), FrameStatus::kCorrupt);
}

TEST(RecordFrameTest, InvalidTypeIsCorruptEvenWithValidChecksum) {
  for (uint8_t type : {0, 2, 3, 0x81, 0xFF}) {
    std::string bad = encode(1, 1, "k", "v");
    bad[8] = static_cast<char>(type);
    reseal(bad);
    EXPECT_EQ(decode(bad), FrameStatus::kCorrupt) << "type " << int(type);
  }
}

TEST(RecordFrameTest, LengthOutOfRangeIsCorrupt) {
  const std::string frame = encode(1, 1, "k", "v");
  for (uint32_t length : {0u, 1u, 18u, 19u, kMaxPayloadBytes + 1, 0x7FFFFFFFu, 0xFFFFFFFFu}) {
    std::string bad = frame;
    put_u32(bad, 4, length);
    size_t needed = 5;
    EXPECT_EQ(decode(bad, nullptr, nullptr, &needed), FrameStatus::kCorrupt) << "length " << length;
  }
}

TEST(RecordFrameTest, LargestValidLengthWithShortBufferIsIncomplete) {
  std::string frame = encode(1, 1, "k", "v");
  put_u32(frame, 4, kMaxPayloadBytes);
  size_t needed = 0;
  EXPECT_EQ(decode(frame, nullptr, nullptr, &needed), FrameStatus::kIncomplete);
  EXPECT_EQ(needed, kFrameHeaderBytes + kMaxPayloadBytes);
}

TEST(RecordFrameTest, EmptyKeyWithOneDataByteIsValid) {
  // The smallest valid length is 19 + 1.
  expect_round_trip(0, 0, "", "x");
}

TEST(RecordFrameTest, KeyLengthBeyondPayloadIsCorrupt) {
  std::string bad = encode(1, 1, "key", "data");  // key 3 + data 4 = 7 bytes after the fixed part
  put_u16(bad, kFrameHeaderBytes + 17, 8);
  reseal(bad);
  EXPECT_EQ(decode(bad), FrameStatus::kCorrupt);
  put_u16(bad, kFrameHeaderBytes + 17, 0xFFFF);
  reseal(bad);
  EXPECT_EQ(decode(bad), FrameStatus::kCorrupt);

  // A key that takes all of the variable part (no data) is fine.
  std::string whole_key = encode(1, 1, "key", "data");
  put_u16(whole_key, kFrameHeaderBytes + 17, 7);
  reseal(whole_key);
  RecordView rec;
  ASSERT_EQ(decode(whole_key, &rec), FrameStatus::kOk);
  EXPECT_EQ(rec.partition_key, "keydata");
  EXPECT_TRUE(rec.data.empty());
}

TEST(RecordFrameTest, ZeroFilledBytesAreCorrupt) {
  for (size_t n : {9u, 10u, 28u, 64u, 4096u}) {
    const std::string zeros(n, '\0');
    EXPECT_EQ(decode(zeros), FrameStatus::kCorrupt) << n << " zero bytes";
  }
  // Fewer than a header's worth is just incomplete.
  EXPECT_EQ(decode(std::string(8, '\0')), FrameStatus::kIncomplete);
}

TEST(RecordFrameTest, GarbageIsNotAccepted) {
  std::string garbage;
  uint32_t x = 2463534242u;
  for (int i = 0; i < 4096; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    garbage.push_back(static_cast<char>(x));
  }
  for (size_t start = 0; start + 64 < garbage.size(); start += 61) {
    EXPECT_NE(decode(std::string_view(garbage).substr(start)), FrameStatus::kOk) << "start " << start;
  }
}

}  // namespace
}  // namespace kinesisd::storage
