// A request as every transport (HTTP/1.1, HTTP/2) hands it to the API, and the response it gets back.
// Nothing here knows how it was framed.
#pragma once

#include <string>

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
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string error_type;  // x-amzn-ErrorType, empty on success
};

}  // namespace kinesisd::api
