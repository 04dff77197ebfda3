#include "kinesisd/util/uint128.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace kinesisd {

std::string to_decimal(uint128 v) {
  if (v == 0) return "0";
  char buf[40];
  int n = 0;
  while (v != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::reverse(buf, buf + n);
  return std::string(buf, n);
}

std::optional<uint128> parse_decimal_u128(std::string_view text) {
  if (text.empty() || text.size() > 39) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  uint128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint128 digit = static_cast<uint128>(c - '0');
    if (v > (kUint128Max - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

uint128 from_big_endian(const unsigned char bytes[16]) {
  uint128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | bytes[i];
  return v;
}

uint128 hash_partition_key(std::string_view key) {
  // The algorithm is fetched once and each thread reuses one context: EVP_Digest would do both per call,
  // which costs several times the hashing itself for short keys.
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  unsigned char digest[16];
  unsigned int len = 0;
  EVP_DigestInit_ex(context.ctx, md5, nullptr);
  EVP_DigestUpdate(context.ctx, key.data(), key.size());
  EVP_DigestFinal_ex(context.ctx, digest, &len);
  return from_big_endian(digest);
}

}  // namespace kinesisd
