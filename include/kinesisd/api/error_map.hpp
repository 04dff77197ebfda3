// The one place where engine and protocol errors become AWS error types, HTTP statuses and client texts.
#pragma once

#include <string_view>

#include "kinesisd/util/status.hpp"

namespace kinesisd::api {

struct WireError {
  std::string_view type;  // __type
  unsigned status;        // 400, or 500 / 503 for the server's own failures
};

WireError to_wire(ErrorCode code);

// True for the internal codes (kIo, kCorruption, kUnavailable, kInternal): their message is not for clients.
bool is_internal(ErrorCode code);

// What a client is told of `error`: AWS's error unchanged, or, for an internal one, AWS's fixed text (the
// detail is logged here, once, as event=internal_error). `op` names the operation in that log line.
Error public_error(const Error& error, std::string_view op = {});

}  // namespace kinesisd::api
