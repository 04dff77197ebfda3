// application/vnd.amazon.eventstream framing (protocol/event_stream). Byte 0, bit 0 clear: the rest is a stream
// of messages, decoded one after another until one fails. Bit 0 set: the rest is one message whose lengths and
// CRC-32s are filled in first, so the fuzzer reaches the header decoder without having to find checksums.
// Checked besides memory safety: every decoded message, encoded again, decodes to the same headers and payload,
// and `consumed` never runs past the input.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kinesisd/protocol/event_stream.hpp"

using namespace kinesisd::protocol;

namespace {

void put_be32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (24 - 8 * i));
}
uint32_t crc(const std::string& s, size_t n) {
  return static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(n)));
}

void check_round_trip(const EventMessage& m) {
  const std::string again = encode_event_message(m.headers, m.payload);
  size_t consumed = 0;
  auto back = decode_event_message(again, consumed);
  if (!back || consumed != again.size() || back->payload != m.payload || back->headers.size() != m.headers.size()) {
    std::fprintf(stderr, "event message does not survive encode/decode\n");
    std::abort();
  }
  for (size_t i = 0; i < m.headers.size(); ++i) {
    if (back->headers[i].name != m.headers[i].name || back->headers[i].value != m.headers[i].value) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) != 0) {
    if (bytes.size() < 16) return 0;
    put_be32(bytes, 0, static_cast<uint32_t>(bytes.size()));
    // Keep the fuzzer's headers length when it fits, so both consistent and inconsistent lengths are tried.
    put_be32(bytes, 8, crc(bytes, 8));
    put_be32(bytes, bytes.size() - 4, crc(bytes, bytes.size() - 4));
  }
  std::string_view rest(bytes);
  while (!rest.empty()) {
    size_t consumed = 0;
    auto m = decode_event_message(rest, consumed);
    if (!m) break;
    if (consumed == 0 || consumed > rest.size()) std::abort();
    check_round_trip(*m);
    rest.remove_prefix(consumed);
  }
  return 0;
}
