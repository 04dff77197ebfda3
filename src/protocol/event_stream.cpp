#include "kinesisd/protocol/event_stream.hpp"

#include "kinesisd/util/crc32.hpp"

namespace kinesisd::protocol {
namespace {

constexpr size_t kPreludeBytes = 12;
constexpr size_t kTrailerBytes = 4;
constexpr uint8_t kTypeString = 7;

void put_u32(std::string& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out.append(b, 4);
}

uint64_t get_be(std::string_view bytes, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

Error bad(const std::string& why) { return make_error(ErrorCode::kInvalidArgument, why); }

}  // namespace

std::string_view EventMessage::header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return {};
}

std::string encode_event_message(const std::vector<EventHeader>& headers, std::string_view payload) {
  std::string encoded_headers;
  for (const auto& h : headers) {
    encoded_headers.push_back(static_cast<char>(h.name.size()));
    encoded_headers += h.name;
    encoded_headers.push_back(static_cast<char>(kTypeString));
    encoded_headers.push_back(static_cast<char>(h.value.size() >> 8));
    encoded_headers.push_back(static_cast<char>(h.value.size() & 0xFF));
    encoded_headers += h.value;
  }
  const size_t total = kPreludeBytes + encoded_headers.size() + payload.size() + kTrailerBytes;
  std::string out;
  out.reserve(total);
  put_u32(out, static_cast<uint32_t>(total));
  put_u32(out, static_cast<uint32_t>(encoded_headers.size()));
  put_u32(out, crc32(out.data(), 8));
  out += encoded_headers;
  out += payload;
  put_u32(out, crc32(out.data(), out.size()));
  return out;
}

std::string encode_event(std::string_view event_type, std::string_view content_type, std::string_view payload) {
  return encode_event_message({{":event-type", std::string(event_type)},
                               {":content-type", std::string(content_type)},
                               {":message-type", "event"}},
                              payload);
}

std::string encode_exception(std::string_view exception_type, std::string_view content_type,
                             std::string_view payload) {
  return encode_event_message({{":exception-type", std::string(exception_type)},
                               {":content-type", std::string(content_type)},
                               {":message-type", "exception"}},
                              payload);
}

Result<EventMessage> decode_event_message(std::string_view bytes, size_t& consumed) {
  if (bytes.size() < kPreludeBytes) return bad("incomplete");
  const uint64_t total = get_be(bytes, 0, 4);
  const uint64_t headers_len = get_be(bytes, 4, 4);
  if (get_be(bytes, 8, 4) != crc32(bytes.data(), 8)) return bad("prelude checksum mismatch");
  if (total < kPreludeBytes + kTrailerBytes || headers_len > total - kPreludeBytes - kTrailerBytes) {
    return bad("message lengths are inconsistent");
  }
  if (bytes.size() < total) return bad("incomplete");
  if (get_be(bytes, total - 4, 4) != crc32(bytes.data(), total - 4)) return bad("message checksum mismatch");
  EventMessage m;
  size_t at = kPreludeBytes;
  const size_t headers_end = kPreludeBytes + headers_len;
  while (at < headers_end) {
    EventHeader h;
    const size_t name_len = static_cast<unsigned char>(bytes[at++]);
    if (at + name_len + 1 > headers_end) return bad("truncated header");
    h.name = std::string(bytes.substr(at, name_len));
    at += name_len;
    const uint8_t type = static_cast<unsigned char>(bytes[at++]);
    auto need = [&](size_t n) { return at + n <= headers_end; };
    switch (type) {
      case 0: h.value = "true"; break;
      case 1: h.value = "false"; break;
      case 2: case 3: case 4: case 5: {  // byte, short, int, long: signed big-endian
        const size_t n = type == 2 ? 1 : type == 3 ? 2 : type == 4 ? 4 : 8;
        if (!need(n)) return bad("truncated header");
        uint64_t v = get_be(bytes, at, n);
        if (n < 8 && (v >> (8 * n - 1))) v |= ~uint64_t{0} << (8 * n);  // sign-extend
        h.value = std::to_string(static_cast<int64_t>(v));
        at += n;
        break;
      }
      case 6: case 7: {  // byte array, string
        if (!need(2)) return bad("truncated header");
        const size_t n = get_be(bytes, at, 2);
        at += 2;
        if (!need(n)) return bad("truncated header");
        h.value = std::string(bytes.substr(at, n));
        at += n;
        break;
      }
      case 8: {  // timestamp: int64 epoch milliseconds
        if (!need(8)) return bad("truncated header");
        h.value = std::to_string(static_cast<int64_t>(get_be(bytes, at, 8)));
        at += 8;
        break;
      }
      case 9: {  // uuid
        if (!need(16)) return bad("truncated header");
        h.value = std::string(bytes.substr(at, 16));
        at += 16;
        break;
      }
      default:
        return bad("unknown header value type " + std::to_string(type));
    }
    m.headers.push_back(std::move(h));
  }
  m.payload = std::string(bytes.substr(headers_end, total - headers_end - kTrailerBytes));
  consumed = total;
  return m;
}

}  // namespace kinesisd::protocol
