// util/crc32c: CRC-32C (Castagnoli) known vectors, incremental extension, and LevelDB-style masking.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kinesisd/util/crc32c.hpp"

namespace kinesisd {
namespace {

uint32_t crc_of(const std::string& s) { return crc32c(s.data(), s.size()); }

// Bit-at-a-time reference, independent of the table and SSE 4.2 paths under test.
uint32_t reference_crc32c(const unsigned char* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32cTest, CheckValue) {
  // The standard "check" value of CRC-32C.
  EXPECT_EQ(crc_of("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, Rfc3720Vectors) {
  // iSCSI (RFC 3720, B.4) test vectors.
  EXPECT_EQ(crc_of(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc_of(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(crc_of(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc_of(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, MoreKnownVectors) {
  EXPECT_EQ(crc_of(""), 0u);
  EXPECT_EQ(crc_of("a"), 0xC1D04330u);
  EXPECT_EQ(crc_of("The quick brown fox jumps over the lazy dog"), 0x22620404u);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(crc_of(all), 0x9C44184Bu);
}

TEST(Crc32cTest, NotPlainCrc32) {
  // CRC-32 (IEEE) of "123456789" is 0xCBF43926; the Castagnoli polynomial must give something else.
  EXPECT_NE(crc_of("123456789"), 0xCBF43926u);
}

TEST(Crc32cTest, MatchesReferenceForEveryLengthAndAlignment) {
  // Covers the 8-byte words of the hardware path, its byte tail, and unaligned starts.
  std::mt19937 rng(12345);
  std::vector<unsigned char> buf(300);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= buf.size(); len += (len < 40 ? 1 : 37)) {
      ASSERT_EQ(crc32c(buf.data() + start, len), reference_crc32c(buf.data() + start, len))
          << "start=" << start << " len=" << len;
    }
  }
}

TEST(Crc32cTest, ExtendOverSplitBuffersEqualsWhole) {
  const std::string s = "The quick brown fox jumps over the lazy dog, then some more bytes to span words.";
  const uint32_t whole = crc_of(s);
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    const uint32_t first = crc32c(s.data(), cut);
    EXPECT_EQ(crc32c_extend(first, s.data() + cut, s.size() - cut), whole) << "cut=" << cut;
  }
}

TEST(Crc32cTest, ExtendOverManyPieces) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 7 + 3));
  uint32_t crc = 0;
  size_t done = 0;
  size_t piece = 1;
  while (done < s.size()) {
    const size_t n = std::min(piece, s.size() - done);
    crc = crc32c_extend(crc, s.data() + done, n);
    done += n;
    piece = piece * 2 + 1;
  }
  EXPECT_EQ(crc, crc_of(s));
  // Extending by nothing changes nothing.
  EXPECT_EQ(crc32c_extend(crc, s.data(), 0), crc);
}

TEST(Crc32cTest, ExtendOfCheckVectorSplit) {
  const uint32_t a = crc32c("1234", 4);
  EXPECT_EQ(crc32c_extend(a, "56789", 5), 0xE3069283u);
}

TEST(Crc32cTest, DifferentInputsDiffer) {
  EXPECT_NE(crc_of("hello"), crc_of("hellp"));
  EXPECT_NE(crc_of(std::string(1, '\0')), crc_of(std::string(2, '\0')));
}

TEST(Crc32cTest, MaskKnownValues) {
  // ((crc >> 15) | (crc << 17)) + 0xa282ead8, computed independently.
  EXPECT_EQ(crc32c_mask(0u), 0xA282EAD8u);
  EXPECT_EQ(crc32c_mask(1u), 0xA284EAD8u);
  EXPECT_EQ(crc32c_mask(0xFFFFFFFFu), 0xA282EAD7u);
  EXPECT_EQ(crc32c_mask(0xE3069283u), 0xC78AB0E5u);
}

TEST(Crc32cTest, MaskUnmaskRoundTrip) {
  const uint32_t crc = crc_of("foo");
  EXPECT_NE(crc32c_mask(crc), crc);
  EXPECT_NE(crc32c_mask(crc32c_mask(crc)), crc);
  EXPECT_EQ(crc32c_unmask(crc32c_mask(crc)), crc);
  EXPECT_EQ(crc32c_unmask(crc32c_unmask(crc32c_mask(crc32c_mask(crc)))), crc);

  std::mt19937 rng(99);
  for (int i = 0; i < 10000; ++i) {
    const uint32_t x = static_cast<uint32_t>(rng());
    ASSERT_EQ(crc32c_unmask(crc32c_mask(x)), x) << x;
    ASSERT_EQ(crc32c_mask(crc32c_unmask(x)), x) << x;
    ASSERT_NE(crc32c_mask(x), x) << x;
  }
  for (uint32_t x : {0u, 1u, 0x80000000u, 0xFFFFFFFFu, 0xA282EAD8u}) {
    EXPECT_EQ(crc32c_unmask(crc32c_mask(x)), x) << x;
    EXPECT_NE(crc32c_mask(x), x) << x;
  }
}

TEST(Crc32cTest, MaskOfCrcOfMaskedCrcDiffers) {
  // The reason for masking: a CRC computed over data that embeds a CRC must not collide trivially.
  const uint32_t crc = crc_of("payload");
  const uint32_t masked = crc32c_mask(crc);
  const uint32_t over_masked = crc32c(&masked, sizeof masked);
  EXPECT_NE(crc32c_mask(over_masked), masked);
}

}  // namespace
}  // namespace kinesisd
