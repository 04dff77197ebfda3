// Strict RFC 4648 base64 (with padding).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kinesisd/util/base64.hpp"

namespace kinesisd {
namespace {

const std::vector<std::pair<std::string, std::string>>& rfc4648_vectors() {
  static const std::vector<std::pair<std::string, std::string>> kVectors = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  return kVectors;
}

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : rfc4648_vectors()) EXPECT_EQ(base64_encode(plain), encoded) << plain;
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : rfc4648_vectors()) {
    Base64Error why;
    auto out = base64_decode(encoded, &why);
    ASSERT_TRUE(out.has_value()) << encoded << ": " << why.reason;
    EXPECT_EQ(*out, plain);
    EXPECT_TRUE(why.reason.empty());
  }
}

TEST(Base64, UsesStandardAlphabetIncludingPlusAndSlash) {
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
  EXPECT_EQ(base64_encode(std::string("\x00\x00\x00", 3)), "AAAA");
  EXPECT_EQ(base64_encode(std::string("\xff\xff\xff", 3)), "////");
  auto out = base64_decode("+/+/");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, std::string("\xfb\xff\xbf", 3));
}

TEST(Base64, EncodeAppendKeepsExistingContent) {
  std::string out = "prefix:";
  base64_encode_append("foobar", out);
  EXPECT_EQ(out, "prefix:Zm9vYmFy");
  base64_encode_append("f", out);
  EXPECT_EQ(out, "prefix:Zm9vYmFyZg==");
  base64_encode_append("", out);
  EXPECT_EQ(out, "prefix:Zm9vYmFyZg==");
}

TEST(Base64, AllByteValuesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto out = base64_decode(base64_encode(all));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, all);
}

TEST(Base64, RandomRoundTripLengths0To1000) {
  std::mt19937 rng(20131202);
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t len = 0; len <= 1000; ++len) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(byte(rng));
    const std::string encoded = base64_encode(bytes);
    ASSERT_EQ(encoded.size(), (len + 2) / 3 * 4) << len;
    ASSERT_EQ(encoded.size() % 4, 0u);
    Base64Error why;
    auto decoded = base64_decode(encoded, &why);
    ASSERT_TRUE(decoded.has_value()) << len << ": " << why.reason;
    ASSERT_EQ(*decoded, bytes) << len;
  }
}

TEST(Base64, RejectsLengthNotMultipleOfFour) {
  for (const std::string text : {"Z", "Zg", "Zg=", "Zm9vY", "23456", "Zm9vYmFy="}) {
    Base64Error why;
    EXPECT_FALSE(base64_decode(text, &why).has_value()) << text;
    EXPECT_EQ(why.reason,
              "Base64 encoded length is expected a multiple of 4 bytes but found: " + std::to_string(text.size()))
        << text;
  }
}

TEST(Base64, RejectsInvalidCharacters) {
  const std::vector<std::pair<std::string, char>> cases = {
      {"Zm9v!A==", '!'}, {"a-b_", '-'}, {"ab_c", '_'}, {"Zm\n9", '\n'}, {"Zm 9", ' '},
      {"=+/=", '='},     {"Zg=A", '='}, {"====", '='}, {"A===", '='},
  };
  for (const auto& [text, bad] : cases) {
    Base64Error why;
    EXPECT_FALSE(base64_decode(text, &why).has_value()) << text;
    EXPECT_EQ(why.reason, std::string("Invalid Base64 character: '") + bad + "'") << text;
  }
}

TEST(Base64, RejectsNonZeroTrailingBits) {
  // "Zh==" and "Zg==" differ only in bits that do not make a whole byte; only the canonical form decodes.
  for (const std::string text : {"Zh==", "Zm9=", "+/+=", "AB==", "AAB="}) {
    Base64Error why;
    EXPECT_FALSE(base64_decode(text, &why).has_value()) << text;
    EXPECT_EQ(why.reason, "Invalid last non-pad Base64 character dectected") << text;
  }
  EXPECT_TRUE(base64_decode("AA==").has_value());
  EXPECT_TRUE(base64_decode("AAA=").has_value());
}

TEST(Base64, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(base64_decode("abc").has_value());
  EXPECT_FALSE(base64_decode("ab!c").has_value());
  auto empty = base64_decode("");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace kinesisd
