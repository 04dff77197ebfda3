#include "kinesisd/util/ids.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "kinesisd/util/base64.hpp"

namespace kinesisd {
namespace {

// Request ids need uniqueness, not secrecy: a per-thread PRNG seeded from the OS is enough.
std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    for (auto& c : out) c = static_cast<char>(rng()());
  }
  return out;
}

std::string random_uuid() {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t a = rng()(), b = rng()();
  std::string s(36, '-');
  int bit = 0;
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    const uint64_t word = bit < 64 ? a : b;
    s[i] = kHex[(word >> (bit % 64)) & 0xF];
    bit += 4;
  }
  s[14] = '4';
  s[19] = kHex[8 | (b >> 60 & 0x3)];
  return s;
}

std::string random_base64(size_t n) {
  std::string raw(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t word = rng()();
    std::memcpy(raw.data() + i, &word, std::min<size_t>(8, n - i));
  }
  return base64_encode(raw);
}

std::string random_lower_alnum(size_t n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(n, 'a');
  for (auto& c : s) c = kChars[rng()() % 36];
  return s;
}

}  // namespace kinesisd
