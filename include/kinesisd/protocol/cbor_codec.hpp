// application/x-amz-cbor-1.1 (the AWS SDK for Java's default): request decoding into the same normalised form as
// the JSON codec (blobs as raw bytes, timestamps as int64 epoch milliseconds, numbers as int64), and response
// encoding driven by the output shape. Timestamps travel as tag 1 wrapping integer epoch MILLISECONDS in both
// directions (AWS's convention, not RFC 8949's seconds). Maps, arrays and strings may have indefinite length, as
// Jackson writes them.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::protocol {

inline constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

// SerializationException for anything that is not a well-formed CBOR map matching `shape`'s types.
Status cbor_decode_input(std::string_view body, const Shape& shape, rapidjson::Document& out);

// A definite-length CBOR map of `value`'s non-null members in declaration order. A null shape or value: {}.
std::string cbor_encode_output(const Shape* shape, const rapidjson::Value& value);

std::string cbor_encode_error(std::string_view type, std::string_view message);

}  // namespace kinesisd::protocol
