// The headers every answer carries, whatever the transport: a request id, x-amz-id-2, Date, and the content and
// error types when set. Names are in AWS's casing; HTTP/2 sends them lowercased.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kinesisd/api/message.hpp"

namespace kinesisd::net {

std::vector<std::pair<std::string, std::string>> answer_headers(const api::ApiResponse& r);

// The whole HTTP/1.x head of a non-streamed answer (status line, the headers above, Content-Length, and
// Connection: close when not kept alive), written into `out` (cleared first; its capacity is reused, so a
// connection formats its answers without allocating).
void write_http1_head(std::string& out, const api::ApiResponse& r, unsigned version, bool keep_alive);

}  // namespace kinesisd::net
