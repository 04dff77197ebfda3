// 128-bit unsigned arithmetic for hash keys: MD5 digests as big-endian integers, decimal strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kinesisd {

using uint128 = unsigned __int128;

inline constexpr uint128 kUint128Max = ~static_cast<uint128>(0);

std::string to_decimal(uint128 v);

// Parses a canonical decimal string (no sign, no leading zeros except "0") into [0, 2^128-1].
// Returns nullopt when the text is not canonical decimal or the value does not fit.
std::optional<uint128> parse_decimal_u128(std::string_view text);

// The 16 bytes of an MD5 digest read as an unsigned big-endian integer.
uint128 from_big_endian(const unsigned char bytes[16]);

// MD5 of `key` as an unsigned 128-bit big-endian integer: where Kinesis routes a partition key.
uint128 hash_partition_key(std::string_view key);

}  // namespace kinesisd
