// application/x-amz-json-1.1: request decoding into the normalised form the validator and handlers use
// (blobs as raw bytes, timestamps as int64 epoch milliseconds, numbers as int64), and response encoding
// driven by the output shape (blobs as base64, timestamps as epoch seconds with millisecond fraction).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::protocol {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.1";

// Parses `body` in place: `out` points into it, so `body` must outlive `out` and normalises it against `shape`. An empty or non-object body,
// malformed JSON, or a member of the wrong JSON type gives SerializationException with AWS's wording.
Status json_decode_input(std::string& body, const Shape& shape, rapidjson::Document& out);

// Encodes `value` (normalised form) as JSON guided by `shape`. A null shape or value gives "{}".
std::string json_encode_output(const Shape* shape, const rapidjson::Value& value);

std::string json_encode_error(std::string_view type, std::string_view message);

}  // namespace kinesisd::protocol
