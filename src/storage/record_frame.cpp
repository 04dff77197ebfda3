#include "kinesisd/storage/record_frame.hpp"

#include <cstring>

#include "kinesisd/util/crc32c.hpp"

namespace kinesisd::storage {
namespace {

template <class T>
void put(char* p, T v) {
  std::memcpy(p, &v, sizeof v);  // little-endian hosts only (x86-64, aarch64)
}
template <class T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

void append_frame(const RecordView& r, std::string& out) {
  const size_t start = out.size();
  const uint32_t length = static_cast<uint32_t>(kPayloadFixedBytes + r.partition_key.size() + r.data.size());
  out.resize(start + kFrameHeaderBytes + length);
  char* p = out.data() + start;
  put<uint32_t>(p + 4, length);
  p[8] = static_cast<char>(kFullRecord);
  char* payload = p + kFrameHeaderBytes;
  put<uint64_t>(payload, r.position);
  put<int64_t>(payload + 8, r.arrival_ms);
  payload[16] = static_cast<char>(r.flags);
  put<uint16_t>(payload + 17, static_cast<uint16_t>(r.partition_key.size()));
  // Empty views may have a null data() (a record without a partition key), which memcpy must not be given.
  if (!r.partition_key.empty()) std::memcpy(payload + kPayloadFixedBytes, r.partition_key.data(), r.partition_key.size());
  if (!r.data.empty()) std::memcpy(payload + kPayloadFixedBytes + r.partition_key.size(), r.data.data(), r.data.size());
  put<uint32_t>(p, crc32c_mask(crc32c(p + 8, 1 + length)));
}

FrameStatus decode_frame(std::string_view bytes, RecordView* out, size_t* frame_bytes, size_t* needed) {
  if (bytes.size() < kFrameHeaderBytes) return FrameStatus::kIncomplete;
  const char* p = bytes.data();
  const uint32_t length = get<uint32_t>(p + 4);
  const uint8_t type = static_cast<uint8_t>(p[8]);
  if (type != kFullRecord || length < kPayloadFixedBytes || length > kMaxPayloadBytes) return FrameStatus::kCorrupt;
  const size_t total = kFrameHeaderBytes + length;
  if (needed) *needed = total;
  if (bytes.size() < total) return FrameStatus::kIncomplete;
  if (crc32c_unmask(get<uint32_t>(p)) != crc32c(p + 8, 1 + length)) return FrameStatus::kCorrupt;
  const char* payload = p + kFrameHeaderBytes;
  const uint16_t key_length = get<uint16_t>(payload + 17);
  if (kPayloadFixedBytes + key_length > length) return FrameStatus::kCorrupt;
  out->position = get<uint64_t>(payload);
  out->arrival_ms = get<int64_t>(payload + 8);
  out->flags = static_cast<uint8_t>(payload[16]);
  out->partition_key = std::string_view(payload + kPayloadFixedBytes, key_length);
  out->data = std::string_view(payload + kPayloadFixedBytes + key_length, length - kPayloadFixedBytes - key_length);
  *frame_bytes = total;
  return FrameStatus::kOk;
}

}  // namespace kinesisd::storage
