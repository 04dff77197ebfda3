#include "kinesisd/net/answer_headers.hpp"

#include <ctime>

#include "kinesisd/util/ids.hpp"

namespace kinesisd::net {
namespace {

// The Date header, formatted once a second per thread.
const std::string& http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  const std::time_t t = std::time(nullptr);
  if (t != cached_at) {
    char buf[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_at = t;
  }
  return cached;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> answer_headers(const api::ApiResponse& r) {
  std::vector<std::pair<std::string, std::string>> h{
      {"x-amzn-RequestId", random_uuid()}, {"x-amz-id-2", random_base64(48)}, {"Date", http_date()}};
  if (!r.content_type.empty()) h.emplace_back("Content-Type", r.content_type);
  if (!r.error_type.empty()) h.emplace_back("x-amzn-ErrorType", r.error_type);
  return h;
}

}  // namespace kinesisd::net
