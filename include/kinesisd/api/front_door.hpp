// Everything between framing and handlers, shared by every transport: target lookup, signature shape and
// region, decoding and validation against the model, dispatch, and encoding of the answer or the error.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "kinesisd/api/context.hpp"
#include "kinesisd/api/message.hpp"

namespace kinesisd::api {

class FrontDoor {
 public:
  explicit FrontDoor(Services services) : services_(services) {}
  boost::asio::awaitable<ApiResponse> handle(ApiRequest request);

 private:
  Services services_;
};

// An AWS-shaped error in the request's protocol.
// The AWS-shaped answer to `error` (internal details are logged, never sent: see error_map.hpp).
ApiResponse error_response(const Error& error, Protocol protocol = Protocol::kJson, std::string_view op = {});
// The answer to a body larger than `limit` bytes, which the transports refuse before reading it.
ApiResponse body_too_large(size_t limit);

}  // namespace kinesisd::api
