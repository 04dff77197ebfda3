// Checks a decoded request against the constraints of its input shape: required members, lengths, ranges,
// patterns and enums, phrased exactly as AWS phrases them. Protocol-neutral: it runs on the normalised value
// that every codec produces (blobs as raw bytes, timestamps as int64 epoch milliseconds, numbers as int64).
#pragma once

#include <rapidjson/document.h>

#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::protocol {

// Returns ValidationException ("N validation error(s) detected: ...") listing at most ten violations,
// members in reverse declaration order as AWS lists them.
Status validate_input(const Shape& shape, const rapidjson::Value& input);

}  // namespace kinesisd::protocol
