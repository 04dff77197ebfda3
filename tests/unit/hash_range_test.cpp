// Hash-key space arithmetic: split_evenly, 128-bit decimal conversion, partition-key hashing.
#include <gtest/gtest.h>

#include <string>

#include "kinesisd/engine/hash_range.hpp"
#include "kinesisd/util/uint128.hpp"

namespace kinesisd::engine {
namespace {

constexpr const char* kMaxDecimal = "340282366920938463463374607431768211455";

uint128 dec(const char* text) {
  auto v = parse_decimal_u128(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v.value_or(0);
}

void expect_covers_key_space(uint64_t count) {
  SCOPED_TRACE("count=" + std::to_string(count));
  const auto ranges = split_evenly(count);
  ASSERT_EQ(ranges.size(), count);
  EXPECT_TRUE(ranges.front().start == 0);
  EXPECT_TRUE(ranges.back().end == kUint128Max);
  // floor(2^128 / count), computed independently: (2^128 - count) / count + 1 == floor(2^128/count) for count >= 1.
  const uint128 n = count;
  const uint128 width = (kUint128Max - n + 1) / n + 1;
  for (size_t i = 0; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i].start, ranges[i].end) << i;
    if (i + 1 < ranges.size()) {
      ASSERT_TRUE(ranges[i].end + 1 == ranges[i + 1].start) << "gap or overlap after range " << i;
      ASSERT_TRUE(ranges[i].end - ranges[i].start + 1 == width) << "range " << i << " is not floor(2^128/n) wide";
    } else {
      ASSERT_TRUE(ranges[i].end - ranges[i].start + 1 >= width || count == 1);
    }
  }
}

TEST(SplitEvenly, CoversWholeKeySpaceContiguously) {
  for (uint64_t count : {1, 2, 3, 4, 7, 500}) expect_covers_key_space(count);
}

TEST(SplitEvenly, OneShardTakesEverything) {
  const auto r = split_evenly(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(to_decimal(r[0].start), "0");
  EXPECT_EQ(to_decimal(r[0].end), kMaxDecimal);
}

TEST(SplitEvenly, TwoShardsSplitAtTwoToThe127) {
  const auto r = split_evenly(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(to_decimal(r[0].end), "170141183460469231731687303715884105727");
  EXPECT_EQ(to_decimal(r[1].start), "170141183460469231731687303715884105728");
  EXPECT_EQ(to_decimal(r[1].end), kMaxDecimal);
}

TEST(SplitEvenly, ThreeShardsExactDecimalBounds) {
  const auto r = split_evenly(3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(to_decimal(r[0].start), "0");
  EXPECT_EQ(to_decimal(r[0].end), "113427455640312821154458202477256070484");
  EXPECT_EQ(to_decimal(r[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(to_decimal(r[1].end), "226854911280625642308916404954512140969");
  EXPECT_EQ(to_decimal(r[2].start), "226854911280625642308916404954512140970");
  EXPECT_EQ(to_decimal(r[2].end), kMaxDecimal);
}

TEST(SplitEvenly, PowerOfTwoCountsDivideExactly) {
  const auto r = split_evenly(4);
  ASSERT_EQ(r.size(), 4u);
  const uint128 quarter = static_cast<uint128>(1) << 126;
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(r[i].start == quarter * i) << i;
    EXPECT_TRUE(r[i].end == quarter * (i + 1) - 1) << i;
  }
}

TEST(HashRange, ContainsIsInclusive) {
  const HashRange r{10, 20};
  EXPECT_FALSE(r.contains(9));
  EXPECT_TRUE(r.contains(10));
  EXPECT_TRUE(r.contains(20));
  EXPECT_FALSE(r.contains(21));
  const HashRange all{0, kUint128Max};
  EXPECT_TRUE(all.contains(0));
  EXPECT_TRUE(all.contains(kUint128Max));
  EXPECT_EQ((HashRange{1, 2}), (HashRange{1, 2}));
  EXPECT_NE((HashRange{1, 2}), (HashRange{1, 3}));
}

TEST(HashRange, EveryKeyFallsInExactlyOneShard) {
  const auto ranges = split_evenly(7);
  for (const char* key : {"a", "b", "partition-key", "", "0", "\xff\xfe"}) {
    const uint128 h = hash_partition_key(key);
    int hits = 0;
    for (const auto& r : ranges) hits += r.contains(h) ? 1 : 0;
    EXPECT_EQ(hits, 1) << key;
  }
}

TEST(Uint128Decimal, ToDecimal) {
  EXPECT_EQ(to_decimal(0), "0");
  EXPECT_EQ(to_decimal(7), "7");
  EXPECT_EQ(to_decimal(10), "10");
  EXPECT_EQ(to_decimal(static_cast<uint128>(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(to_decimal(static_cast<uint128>(UINT64_MAX) + 1), "18446744073709551616");
  EXPECT_EQ(to_decimal(kUint128Max), kMaxDecimal);
}

TEST(Uint128Decimal, ParseAcceptsCanonicalDecimal) {
  EXPECT_TRUE(dec("0") == 0);
  EXPECT_TRUE(dec("1") == 1);
  EXPECT_TRUE(dec("18446744073709551616") == static_cast<uint128>(UINT64_MAX) + 1);
  EXPECT_TRUE(dec(kMaxDecimal) == kUint128Max);
  EXPECT_TRUE(dec("340282366920938463463374607431768211454") == kUint128Max - 1);
}

TEST(Uint128Decimal, ParseRejectsOverflow) {
  EXPECT_FALSE(parse_decimal_u128("340282366920938463463374607431768211456").has_value());  // 2^128
  EXPECT_FALSE(parse_decimal_u128("340282366920938463463374607431768211460").has_value());
  EXPECT_FALSE(parse_decimal_u128("999999999999999999999999999999999999999").has_value());
  EXPECT_FALSE(parse_decimal_u128("1000000000000000000000000000000000000000").has_value());  // 40 digits
}

TEST(Uint128Decimal, ParseRejectsNonCanonicalText) {
  for (const char* text : {"", "00", "01", "007", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "١"}) {
    EXPECT_FALSE(parse_decimal_u128(text).has_value()) << "'" << text << "'";
  }
}

TEST(Uint128Decimal, RoundTrip) {
  uint128 v = 1;
  for (int i = 0; i < 128; ++i, v = v * 3 + 1) {
    const std::string s = to_decimal(v);
    auto back = parse_decimal_u128(s);
    ASSERT_TRUE(back.has_value()) << s;
    ASSERT_TRUE(*back == v) << s;
  }
}

TEST(HashPartitionKey, Md5AsBigEndianInteger) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
  const unsigned char digest[16] = {0x0c, 0xc1, 0x75, 0xb9, 0xc0, 0xf1, 0xb6, 0xa8,
                                    0x31, 0xc3, 0x99, 0xe2, 0x69, 0x77, 0x26, 0x61};
  EXPECT_TRUE(hash_partition_key("a") == from_big_endian(digest));
  EXPECT_EQ(to_decimal(hash_partition_key("a")), "16955237001963240173058271559858726497");
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e
  EXPECT_EQ(to_decimal(hash_partition_key("")), "281949768489412648962353822266799178366");
  EXPECT_FALSE(hash_partition_key("a") == hash_partition_key("b"));
}

TEST(HashPartitionKey, FromBigEndianByteOrder) {
  unsigned char bytes[16] = {};
  bytes[15] = 1;
  EXPECT_TRUE(from_big_endian(bytes) == 1);
  bytes[15] = 0;
  bytes[0] = 0x80;
  EXPECT_TRUE(from_big_endian(bytes) == static_cast<uint128>(1) << 127);
}

}  // namespace
}  // namespace kinesisd::engine
