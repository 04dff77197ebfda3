// The headers every answer carries, whatever the transport: a request id, x-amz-id-2, Date, and the content and
// error types when set. Names are in AWS's casing; HTTP/2 sends them lowercased.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kinesisd/api/message.hpp"

namespace kinesisd::net {

std::vector<std::pair<std::string, std::string>> answer_headers(const api::ApiResponse& r);

}  // namespace kinesisd::net
