#include "kinesisd/net/answer_headers.hpp"

#include <boost/beast/http/status.hpp>

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

// Calls `emit(name, value)` for each header every answer carries; the one list both forms below are built from.
template <class Emit>
void each_answer_header(const api::ApiResponse& r, Emit&& emit) {
  emit("x-amzn-RequestId", random_uuid());
  emit("x-amz-id-2", random_base64(48));
  emit("Date", http_date());
  if (!r.content_type.empty()) emit("Content-Type", r.content_type);
  if (!r.error_type.empty()) emit("x-amzn-ErrorType", r.error_type);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> answer_headers(const api::ApiResponse& r) {
  std::vector<std::pair<std::string, std::string>> h;
  each_answer_header(r, [&h](const char* name, const std::string& value) { h.emplace_back(name, value); });
  return h;
}

void write_http1_head(std::string& out, const api::ApiResponse& r, unsigned version, bool keep_alive) {
  out.clear();
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status));
  out += "\r\n";
  each_answer_header(r, [&out](const char* name, const std::string& value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  });
  out += "Content-Length: ";
  out += std::to_string(r.body.size());
  out += "\r\n";
  // HTTP/1.1 keeps connections alive unless told otherwise; HTTP/1.0 closes unless told otherwise.
  if (!keep_alive && version != 10) out += "Connection: close\r\n";
  if (keep_alive && version == 10) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

}  // namespace kinesisd::net
