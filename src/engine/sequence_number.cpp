#include "kinesisd/engine/sequence_number.hpp"

#include <algorithm>

namespace kinesisd::engine {
namespace {

using u128 = unsigned __int128;
constexpr uint64_t kMask40 = (uint64_t{1} << 40) - 1;

// A 192-bit unsigned integer as three 64-bit limbs, most significant first.
struct U192 {
  uint64_t w[3] = {0, 0, 0};

  // Sets `bits` bits at bit offset `shift` (counted from the least significant bit); fields never straddle limbs
  // in a way the loop below cannot handle, since it sets bit by bit per limb boundary.
  void put(uint64_t value, int shift, int bits) {
    for (int i = 0; i < bits; ++i) {
      if ((value >> i) & 1) {
        const int b = shift + i;
        w[2 - b / 64] |= uint64_t{1} << (b % 64);
      }
    }
  }
  uint64_t get(int shift, int bits) const {
    uint64_t v = 0;
    for (int i = 0; i < bits; ++i) {
      const int b = shift + i;
      if ((w[2 - b / 64] >> (b % 64)) & 1) v |= uint64_t{1} << i;
    }
    return v;
  }
  uint32_t divmod10() {
    u128 rem = 0;
    for (auto& limb : w) {
      const u128 cur = (rem << 64) | limb;
      limb = static_cast<uint64_t>(cur / 10);
      rem = cur % 10;
    }
    return static_cast<uint32_t>(rem);
  }
  bool is_zero() const { return w[0] == 0 && w[1] == 0 && w[2] == 0; }
  // this = this * 10 + digit; returns false on overflow past 192 bits.
  bool mul10_add(uint32_t digit) {
    u128 carry = digit;
    for (int i = 2; i >= 0; --i) {
      const u128 cur = static_cast<u128>(w[i]) * 10 + carry;
      w[i] = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
    return carry == 0;
  }
};

constexpr int kMarkerBit = 185;
constexpr int kCreatedShift = 144;
constexpr int kIndexShift = 104;
constexpr int kPositionShift = 40;

}  // namespace

std::string SequenceNumber::to_string() const {
  // Limbs, least significant first: bits 0..63, 64..127, 128..191.
  const u128 low = (static_cast<u128>(position) << kPositionShift) | (sub_position & kMask40) |
                   (static_cast<u128>(shard_index & kMask40) << kIndexShift);
  const uint64_t high = (uint64_t{1} << (kMarkerBit - 128)) | ((shard_created_secs & kMask40) << (kCreatedShift - 128)) |
                        ((shard_index & kMask40) >> (128 - kIndexShift));
  uint64_t limbs[3] = {high, static_cast<uint64_t>(low >> 64), static_cast<uint64_t>(low)};
  // Three divisions by 10^19 give the 56 digits in chunks of 19 (the top chunk has 18).
  constexpr uint64_t kChunk = 10'000'000'000'000'000'000ull;
  char out[57];
  int end = 56;
  for (int chunk = 0; chunk < 3; ++chunk) {
    u128 rem = 0;
    for (auto& limb : limbs) {
      const u128 cur = (rem << 64) | limb;
      limb = static_cast<uint64_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    uint64_t r = static_cast<uint64_t>(rem);
    const int digits = chunk == 2 ? 18 : 19;
    for (int i = 0; i < digits; ++i) {
      out[--end] = static_cast<char>('0' + r % 10);
      r /= 10;
    }
  }
  return std::string(out + end, 56 - end);
}

std::optional<SequenceNumber> SequenceNumber::parse(std::string_view text) {
  if (text.size() != 56) return std::nullopt;
  U192 v;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (!v.mul10_add(static_cast<uint32_t>(c - '0'))) return std::nullopt;
  }
  // The marker must be the highest set bit.
  // The marker must be the highest set bit, and the bit between it and the creation time must be clear: every
  // valid number lies in [2^185, 2^185 + 2^184), so no two texts decode to the same fields.
  if (v.get(kMarkerBit, 1) != 1 || (v.w[0] >> (kMarkerBit - 128 + 1)) != 0 || v.get(kMarkerBit - 1, 1) != 0)
    return std::nullopt;
  SequenceNumber s;
  s.shard_created_secs = v.get(kCreatedShift, 40);
  s.shard_index = v.get(kIndexShift, 40);
  s.position = v.get(kPositionShift, 64);
  s.sub_position = v.get(0, 40);
  return s;
}

}  // namespace kinesisd::engine
