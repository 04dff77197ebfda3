// The one place where engine and protocol errors become AWS error types and HTTP statuses.
#pragma once

#include <string_view>

#include "kinesisd/util/status.hpp"

namespace kinesisd::api {

struct WireError {
  std::string_view type;  // __type
  unsigned status;        // 400, or 500 for InternalFailure
};

WireError to_wire(ErrorCode code);

}  // namespace kinesisd::api
