// CRC-32 (IEEE 802.3, the zlib polynomial): the checksum of the AWS event-stream framing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kinesisd {

uint32_t crc32_extend(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32(const void* data, size_t n) { return crc32_extend(0, data, n); }

}  // namespace kinesisd
