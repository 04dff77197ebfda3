// engine::IteratorCodec: opaque, authenticated, expiring shard iterator tokens; amz_utc_string.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "kinesisd/engine/shard_iterator.hpp"
#include "kinesisd/util/base64.hpp"

namespace kinesisd::engine {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";
constexpr int64_t kIssued = 1421889722000;  // Thu Jan 22 01:22:02 UTC 2015

IteratorState sample() {
  IteratorState s;
  s.region = "us-east-1";
  s.stream_name = "orders";
  s.stream_created_ms = 1421880000123;
  s.shard_index = 7;
  s.position = 42;
  s.issued_ms = kIssued;
  return s;
}

void expect_same(const IteratorState& a, const IteratorState& b) {
  EXPECT_EQ(a.region, b.region);
  EXPECT_EQ(a.stream_name, b.stream_name);
  EXPECT_EQ(a.stream_created_ms, b.stream_created_ms);
  EXPECT_EQ(a.shard_index, b.shard_index);
  EXPECT_EQ(a.position, b.position);
  EXPECT_EQ(a.issued_ms, b.issued_ms);
}

void expect_invalid(const Result<IteratorState>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << what;
  EXPECT_EQ(r.error().message, "Invalid ShardIterator.") << what;
}

// Builds a token the way the codec's layout describes it, so that the structural checks after the MAC can be
// exercised with a correct MAC.
std::string forge(const std::string& key, const std::string& body) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), out, &len);
  return base64_encode(body + std::string(reinterpret_cast<const char*>(out), 16));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::string body_of(uint8_t version, const IteratorState& s) {
  std::string raw;
  raw.push_back(static_cast<char>(version));
  put_u64(raw, static_cast<uint64_t>(s.stream_created_ms));
  put_u64(raw, s.shard_index);
  put_u64(raw, s.position);
  put_u64(raw, static_cast<uint64_t>(s.issued_ms));
  raw.push_back(static_cast<char>(s.region.size()));
  raw += s.region;
  raw.push_back(static_cast<char>(s.stream_name.size()));
  raw += s.stream_name;
  return raw;
}

TEST(AmzUtcStringTest, Format) {
  EXPECT_EQ(amz_utc_string(0), "Thu Jan 01 00:00:00 UTC 1970");
  EXPECT_EQ(amz_utc_string(kIssued), "Thu Jan 22 01:22:02 UTC 2015");
  EXPECT_EQ(amz_utc_string(kIssued + 999), "Thu Jan 22 01:22:02 UTC 2015");  // milliseconds dropped
  EXPECT_EQ(amz_utc_string(1700000000000), "Tue Nov 14 22:13:20 UTC 2023");
  EXPECT_EQ(amz_utc_string(4102444799999), "Thu Dec 31 23:59:59 UTC 2099");
}

TEST(IteratorCodecTest, RoundTrip) {
  const IteratorCodec codec(kKey);
  const IteratorState s = sample();
  const std::string token = codec.encode(s);
  EXPECT_FALSE(token.empty());
  auto back = codec.decode(token, kIssued);
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(*back, s);
  // The token is plain, padded base64 (JSON-safe) and deterministic.
  EXPECT_TRUE(base64_decode(token).has_value());
  EXPECT_EQ(codec.encode(s), token);
}

TEST(IteratorCodecTest, RoundTripExtremeFields) {
  const IteratorCodec codec(kKey);
  IteratorState s = sample();
  s.position = std::numeric_limits<uint64_t>::max();
  s.shard_index = (uint64_t{1} << 40) - 1;
  s.stream_created_ms = 4102444799999;
  s.issued_ms = 4102444799999;
  auto back = codec.decode(codec.encode(s), s.issued_ms + 1);
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(*back, s);

  s.position = 0;
  s.shard_index = 0;
  s.stream_created_ms = 0;
  s.issued_ms = 1;
  auto zeros = codec.decode(codec.encode(s), 1);
  ASSERT_TRUE(zeros.ok()) << zeros.error().message;
  expect_same(*zeros, s);
}

// Found by fuzz_shard_iterator: now - issued overflowed for an issue time far in the past, so the token was
// taken as current.
TEST(IteratorCodecTest, IssuedInTheFarPastIsExpired) {
  const IteratorCodec codec(kKey);
  IteratorState s = sample();
  s.issued_ms = std::numeric_limits<int64_t>::min() + 298;
  auto back = codec.decode(codec.encode(s), kIssued);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::kExpiredIterator);
}

TEST(IteratorCodecTest, RoundTripLongNamesAndRegions) {
  const IteratorCodec codec(kKey);
  IteratorState s = sample();
  std::string name;
  const std::string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
  for (size_t i = 0; i < 128; ++i) name.push_back(chars[i % chars.size()]);
  s.stream_name = name;
  s.region = "ap-southeast-5-a-rather-long-region-name";
  const std::string token = codec.encode(s);
  EXPECT_LE(token.size(), 512u) << token;
  auto back = codec.decode(token, kIssued + 1000);
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(*back, s);
  EXPECT_EQ(back->stream_name.size(), 128u);

  for (const char* region : {"us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "cn-northwest-1"}) {
    s.region = region;
    const std::string t = codec.encode(s);
    EXPECT_LE(t.size(), 512u);
    auto b = codec.decode(t, kIssued);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->region, region);
  }
}

TEST(IteratorCodecTest, OneCharacterNameAndEmptyStrings) {
  const IteratorCodec codec(kKey);
  IteratorState s = sample();
  s.stream_name = "a";
  auto back = codec.decode(codec.encode(s), kIssued);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stream_name, "a");
  s.stream_name.clear();
  s.region.clear();
  auto empty = codec.decode(codec.encode(s), kIssued);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->stream_name.empty());
  EXPECT_TRUE(empty->region.empty());
}

TEST(IteratorCodecTest, DifferentStatesGiveDifferentTokens) {
  const IteratorCodec codec(kKey);
  std::set<std::string> tokens;
  IteratorState s = sample();
  tokens.insert(codec.encode(s));
  s.position = 43;
  tokens.insert(codec.encode(s));
  s.shard_index = 8;
  tokens.insert(codec.encode(s));
  s.issued_ms += 1;
  tokens.insert(codec.encode(s));
  s.stream_created_ms += 1;
  tokens.insert(codec.encode(s));
  s.stream_name = "orderz";
  tokens.insert(codec.encode(s));
  s.region = "us-west-2";
  tokens.insert(codec.encode(s));
  EXPECT_EQ(tokens.size(), 7u);
}

TEST(IteratorCodecTest, ExpiresAfterFiveMinutes) {
  const IteratorCodec codec(kKey);
  const std::string token = codec.encode(sample());
  EXPECT_TRUE(codec.decode(token, kIssued + 299'999).ok());
  EXPECT_TRUE(codec.decode(token, kIssued + kIteratorLifetimeMs).ok());
  auto expired = codec.decode(token, kIssued + kIteratorLifetimeMs + 1);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kExpiredIterator);
  EXPECT_EQ(expired.error().message,
            "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it is "
            "Thu Jan 22 01:27:02 UTC 2015 which is further in the future than the tolerated delay of 300000 "
            "milliseconds.");
  auto much_later = codec.decode(token, kIssued + 86'400'000);
  ASSERT_FALSE(much_later.ok());
  EXPECT_EQ(much_later.error().code, ErrorCode::kExpiredIterator);
  EXPECT_NE(much_later.error().message.find("right now it is Fri Jan 23 01:22:02 UTC 2015"), std::string::npos)
      << much_later.error().message;
}

TEST(IteratorCodecTest, IssuedInTheFutureIsNotExpired) {
  const IteratorCodec codec(kKey);
  auto r = codec.decode(codec.encode(sample()), kIssued - 60'000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->issued_ms, kIssued);
}

TEST(IteratorCodecTest, ExpiryIsCheckedOnlyForAuthenticTokens) {
  // A forged token is invalid, not expired, however old it claims to be.
  const IteratorCodec codec(kKey);
  const IteratorCodec other(std::string(32, 'z'));
  auto r = codec.decode(other.encode(sample()), kIssued + 10 * kIteratorLifetimeMs);
  expect_invalid(r, "other key, old");
}

TEST(IteratorCodecTest, AnyChangedCharacterIsInvalid) {
  const IteratorCodec codec(kKey);
  const std::string token = codec.encode(sample());
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < token.size(); ++i) {
    for (size_t step : {1u, 32u}) {
      std::string bad = token;
      const size_t at = alphabet.find(bad[i]);
      bad[i] = at == std::string::npos ? 'A' : alphabet[(at + step) % 64];
      ASSERT_NE(bad, token);
      expect_invalid(codec.decode(bad, kIssued), "char " + std::to_string(i) + " -> " + bad[i]);
    }
    std::string not_b64 = token;
    not_b64[i] = '*';
    expect_invalid(codec.decode(not_b64, kIssued), "char " + std::to_string(i) + " -> *");
  }
}

TEST(IteratorCodecTest, TokenFromAnotherKeyIsInvalid) {
  const IteratorCodec ours(kKey);
  const IteratorCodec theirs("fedcba9876543210fedcba9876543210");
  const IteratorCodec almost(kKey.substr(0, 31) + "g");
  expect_invalid(ours.decode(theirs.encode(sample()), kIssued), "other key");
  expect_invalid(ours.decode(almost.encode(sample()), kIssued), "key differing in one byte");
  // The same key in another codec instance (a restart) accepts it.
  const IteratorCodec again(kKey);
  EXPECT_TRUE(again.decode(ours.encode(sample()), kIssued).ok());
}

TEST(IteratorCodecTest, GarbageIsInvalid) {
  const IteratorCodec codec(kKey);
  for (const std::string& t :
       {std::string(), std::string("x"), std::string("AAAA"), std::string("not base64 at all!"),
        std::string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        std::string(512, '/'), std::string("===="), std::string("AAA"), std::string(" ") + "AAAA",
        base64_encode(std::string(100, '\0')), base64_encode("short")}) {
    expect_invalid(codec.decode(t, kIssued), "token '" + t + "'");
  }
}

TEST(IteratorCodecTest, TruncatedOrExtendedTokenIsInvalid) {
  const IteratorCodec codec(kKey);
  const std::string token = codec.encode(sample());
  for (size_t n = 0; n < token.size(); n += 4)
    expect_invalid(codec.decode(token.substr(0, n), kIssued), "prefix " + std::to_string(n));
  expect_invalid(codec.decode(token + "AAAA", kIssued), "extended");
  expect_invalid(codec.decode("AAAA" + token, kIssued), "prefixed");
  expect_invalid(codec.decode(token + "\n", kIssued), "newline");
}

TEST(IteratorCodecTest, ForgedBodyReproducesEncoding) {
  // Our model of the layout agrees with the codec: then the structural tests below are meaningful.
  const IteratorCodec codec(kKey);
  EXPECT_EQ(forge(kKey, body_of(1, sample())), codec.encode(sample()));
}

TEST(IteratorCodecTest, AuthenticButMalformedBodiesAreInvalid) {
  const IteratorCodec codec(kKey);
  // Unknown version.
  expect_invalid(codec.decode(forge(kKey, body_of(2, sample())), kIssued), "version 2");
  expect_invalid(codec.decode(forge(kKey, body_of(0, sample())), kIssued), "version 0");
  // Region length beyond the body.
  std::string body = body_of(1, sample());
  body[33] = static_cast<char>(200);
  expect_invalid(codec.decode(forge(kKey, body), kIssued), "region length too big");
  // Stream name length that does not end the body exactly.
  body = body_of(1, sample());
  body.back() = 'X';
  body += "extra";
  expect_invalid(codec.decode(forge(kKey, body), kIssued), "bytes after the name");
  body = body_of(1, sample());
  body.pop_back();
  expect_invalid(codec.decode(forge(kKey, body), kIssued), "name shorter than its length");
  // Too short for the fixed fields.
  expect_invalid(codec.decode(forge(kKey, std::string(20, '\1')), kIssued), "short body");
}

}  // namespace
}  // namespace kinesisd::engine
