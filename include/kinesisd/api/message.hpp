// A request as every transport (HTTP/1.1, HTTP/2) hands it to the API, and the response it gets back.
// Nothing here knows how it was framed.
#pragma once

#include <rapidjson/allocators.h>

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kinesisd::api {

struct ApiRequest {
  std::string method;  // "POST"
  std::string path;    // without the query
  std::string query;   // raw query string, "" when none
  std::string target;  // X-Amz-Target
  std::string content_type;
  std::string authorization;
  bool has_date = false;  // X-Amz-Date or Date present
  std::string body;
  // Where the request's documents (input, output) allocate; the transport keeps one per connection and clears it
  // between requests, so a small request allocates no 64 KiB pool chunks. Null: each document has its own pool.
  rapidjson::MemoryPoolAllocator<>* arena = nullptr;
  // Every header, names lowercased; filled only when signatures are verified (SessionShared::collect_headers).
  std::vector<std::pair<std::string, std::string>> headers;
};

// A body produced over time (SubscribeToShard's event stream). The transport sends the status line and headers
// without a length, then pulls chunks until next() gives nullopt, and sends each as soon as it has it: HTTP/1.1
// as a chunk of a chunked body, HTTP/2 as DATA frames. next() and cancel() are called on the connection's
// executor, never concurrently with each other.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The next bytes of the body, or nullopt when it is complete. Never throws.
  virtual boost::asio::awaitable<std::optional<std::string>> next() = 0;
  // The client went away (or the transport is closing): a pending or later next() ends with nullopt promptly.
  virtual void cancel() = 0;
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string error_type;  // x-amzn-ErrorType, empty on success
  std::shared_ptr<ResponseStream> stream;  // when set, `body` is empty and the body comes from here
};

}  // namespace kinesisd::api
