// Encoding and decoding of one record frame (docs/log-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kinesisd::storage {

inline constexpr size_t kFrameHeaderBytes = 9;     // checksum, length, type
inline constexpr size_t kPayloadFixedBytes = 19;   // position, arrival, flags, key length
inline constexpr uint8_t kFullRecord = 1;
// flags bit 0: the data is a sealed (encrypted) record, its partition key inside (docs/log-format.md).
inline constexpr uint8_t kFlagEncrypted = 1;
// What sealing adds at most: key id length and key id (at most 2048 bytes), nonce, the partition key's
// length inside the plaintext, tag.
inline constexpr uint32_t kMaxEncryptionOverhead = 2 + 2048 + 12 + 2 + 16;
inline constexpr uint32_t kMaxPayloadBytes = kPayloadFixedBytes + 256 + 10 * 1024 * 1024 + kMaxEncryptionOverhead;

// A record as the log stores it. The views point into the caller's (or the read buffer's) memory.
struct RecordView {
  uint64_t position = 0;
  int64_t arrival_ms = 0;
  uint8_t flags = 0;
  std::string_view partition_key;
  std::string_view data;
};

inline size_t frame_size(const RecordView& r) {
  return kFrameHeaderBytes + kPayloadFixedBytes + r.partition_key.size() + r.data.size();
}

// Appends the frame of `r` to `out`. REQUIRES: partition_key at most 65535 bytes.
void append_frame(const RecordView& r, std::string& out);

enum class FrameStatus { kOk, kIncomplete, kCorrupt };

// Decodes the frame at the start of `bytes`. kIncomplete when `bytes` ends inside the frame (its full size is
// then in *needed when the header was readable), kCorrupt when the header or checksum is invalid.
FrameStatus decode_frame(std::string_view bytes, RecordView* out, size_t* frame_bytes, size_t* needed = nullptr);

}  // namespace kinesisd::storage
