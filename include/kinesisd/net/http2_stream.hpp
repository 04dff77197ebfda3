// One request stream of an HTTP/2 server session (net/http2_session.cpp): the request as its frames arrive
// and the answer nghttp2's data provider reads; and the nghttp2 settings every server session shares. Owned
// by the connection's strand: nothing here locks.
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kinesisd/api/message.hpp"

namespace kinesisd::net {

struct H2Stream {
  api::ApiRequest request;
  std::string content_length;
  size_t header_bytes = 0;  // as HTTP/2 counts a header list: name + value + 32 per field
  bool too_large = false;
  // The answer, once known; the data provider reads the body from here.
  std::string body;
  size_t sent = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed answer: the pump appends what the producer gives to `body`; the data provider defers while
  // nothing is buffered and ends the stream once `eof` is set and all is sent.
  std::shared_ptr<api::ResponseStream> producer;
  bool eof = false;
  bool deferred = false;
  std::optional<boost::asio::steady_timer> drained;  // the pump waits here while too much is buffered

  size_t unsent() const { return body.size() - sent; }
};

// Files one request header field (HTTP/2 names are lowercase) into the stream's request; every field also
// goes to request.headers when `collect_all` (signature verification needs them).
void add_request_header(H2Stream& s, std::string_view name, std::string value, bool collect_all);

// nghttp2's data source callback: `source->ptr` is the H2Stream whose answer body is sent.
ssize_t read_h2_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                     nghttp2_data_source* source, void*);

// nghttp2's own flood defences for a server session, set explicitly. The caller deletes the options.
nghttp2_option* new_server_options();

// "SETTINGS", "PING", "PRIORITY", "RST_STREAM", or "other": for log lines.
const char* h2_frame_name(uint8_t type);

}  // namespace kinesisd::net
