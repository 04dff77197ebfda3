// The dispatch table: operation name (the part of X-Amz-Target after the dot) to handler.
#pragma once

#include <string_view>

#include "kinesisd/api/context.hpp"

namespace kinesisd::api {

// nullptr when kinesisd has no handler for the operation.
Handler find_handler(std::string_view operation);
// nullptr unless the operation answers an event stream.
StreamHandler find_stream_handler(std::string_view operation);

}  // namespace kinesisd::api
