// application/vnd.amazon.eventstream: the binary message framing of SubscribeToShard's answer.
//
//   total length (4, big-endian) | headers length (4) | prelude CRC-32 (4, of the first 8 bytes)
//   headers | payload | message CRC-32 (4, of everything before it)
//
// A header is: name length (1) | name | value type (1) | value. kinesisd writes string values only (type 7:
// length (2) | UTF-8); the decoder, used by tests and tools, reads every type AWS defines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kinesisd/util/status.hpp"

namespace kinesisd::protocol {

inline constexpr std::string_view kEventStreamContentType = "application/vnd.amazon.eventstream";

struct EventHeader {
  std::string name;
  std::string value;  // string and byte-array values as they are; other types in decimal (bool: "true"/"false")
};

struct EventMessage {
  std::vector<EventHeader> headers;
  std::string payload;

  // The value of header `name`, or "" when absent.
  std::string_view header(std::string_view name) const;
};

std::string encode_event_message(const std::vector<EventHeader>& headers, std::string_view payload);

// The three kinds of message a Kinesis event stream carries.
std::string encode_event(std::string_view event_type, std::string_view content_type, std::string_view payload);
std::string encode_exception(std::string_view exception_type, std::string_view content_type,
                             std::string_view payload);

// Decodes the message at the start of `bytes`; `consumed` gets its length. InvalidArgument (with the reason) when
// the bytes are not a whole, valid message; a prefix of a valid message gives "incomplete".
Result<EventMessage> decode_event_message(std::string_view bytes, size_t& consumed);

}  // namespace kinesisd::protocol
