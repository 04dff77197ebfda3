#include "kinesisd/engine/shard_iterator.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <cstring>
#include <ctime>

#include "kinesisd/util/base64.hpp"

namespace kinesisd::engine {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kMacBytes = 16;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

Error invalid() { return make_error(ErrorCode::kInvalidArgument, "Invalid ShardIterator."); }

}  // namespace

std::string amz_utc_string(int64_t epoch_ms) {
  const std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

std::string IteratorCodec::mac(std::string_view bytes) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(bytes.data()),
       bytes.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), kMacBytes);
}

std::string IteratorCodec::encode(const IteratorState& s) const {
  std::string raw;
  raw.push_back(static_cast<char>(kVersion));
  put_u64(raw, static_cast<uint64_t>(s.stream_created_ms));
  put_u64(raw, s.shard_index);
  put_u64(raw, s.position);
  put_u64(raw, static_cast<uint64_t>(s.issued_ms));
  raw.push_back(static_cast<char>(s.region.size()));
  raw += s.region;
  raw.push_back(static_cast<char>(s.stream_name.size()));
  raw += s.stream_name;
  raw += mac(raw);
  return base64_encode(raw);
}

Result<IteratorState> IteratorCodec::decode(std::string_view token, int64_t now_ms) const {
  auto raw = base64_decode(token);
  constexpr size_t kFixed = 1 + 4 * 8;
  if (!raw || raw->size() < kFixed + 2 + kMacBytes) return invalid();
  const std::string& r = *raw;
  const std::string_view body(r.data(), r.size() - kMacBytes);
  const std::string expected = mac(body);
  if (CRYPTO_memcmp(expected.data(), r.data() + body.size(), kMacBytes) != 0) return invalid();
  if (static_cast<uint8_t>(r[0]) != kVersion) return invalid();
  IteratorState s;
  s.stream_created_ms = static_cast<int64_t>(get_u64(r.data() + 1));
  s.shard_index = get_u64(r.data() + 9);
  s.position = get_u64(r.data() + 17);
  s.issued_ms = static_cast<int64_t>(get_u64(r.data() + 25));
  size_t p = kFixed;
  const size_t region_len = static_cast<unsigned char>(r[p++]);
  if (p + region_len + 1 > body.size()) return invalid();
  s.region = r.substr(p, region_len);
  p += region_len;
  const size_t name_len = static_cast<unsigned char>(r[p++]);
  if (p + name_len != body.size()) return invalid();
  s.stream_name = r.substr(p, name_len);
  // Not now_ms - issued_ms, which overflows for an issue time far in the past (found by fuzz_shard_iterator).
  if (s.issued_ms < now_ms - kIteratorLifetimeMs) {
    return make_error(ErrorCode::kExpiredIterator,
                      "Iterator expired. The iterator was created at time " + amz_utc_string(s.issued_ms) +
                          " while right now it is " + amz_utc_string(now_ms) +
                          " which is further in the future than the tolerated delay of 300000 milliseconds.");
  }
  return s;
}

}  // namespace kinesisd::engine
