#include "kinesisd/net/http2_stream.hpp"

#include <algorithm>
#include <cstring>

namespace kinesisd::net {

void add_request_header(H2Stream& s, std::string_view n, std::string v, bool collect_all) {
  api::ApiRequest& r = s.request;
  if (collect_all) r.headers.emplace_back(std::string(n), v);
  if (n == ":method") {
    r.method = std::move(v);
  } else if (n == ":path") {
    const auto q = v.find('?');
    r.path = v.substr(0, q);
    if (q != std::string::npos) r.query = v.substr(q + 1);
  } else if (n == "x-amz-target") {
    r.target = std::move(v);
  } else if (n == "content-type") {
    r.content_type = std::move(v);
  } else if (n == "authorization") {
    r.authorization = std::move(v);
  } else if (n == "x-amz-date" || n == "date") {
    r.has_date = true;
  } else if (n == "content-length") {
    s.content_length = std::move(v);
  }
}

ssize_t read_h2_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                     nghttp2_data_source* source, void*) {
  auto* s = static_cast<H2Stream*>(source->ptr);
  if (s->producer && s->unsent() == 0 && !s->eof) {
    s->deferred = true;  // the pump resumes the stream when the producer gives more
    return NGHTTP2_ERR_DEFERRED;
  }
  const size_t n = std::min(length, s->unsent());
  std::memcpy(buf, s->body.data() + s->sent, n);
  s->sent += n;
  if (s->unsent() == 0) {
    if (!s->producer || s->eof) *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (s->producer) {
      s->body.clear();
      s->sent = 0;
      if (s->drained) s->drained->cancel();
    }
  }
  return static_cast<ssize_t>(n);
}

nghttp2_option* new_server_options() {
  // Their defaults in bookworm's patched libnghttp2 1.52, made explicit: GOAWAY after a burst of 1000 streams
  // reset by the peer beyond 33 a second (CVE-2023-44487, rapid reset); at most 8 CONTINUATION frames a
  // header block (CVE-2024-28182); at most 1000 SETTINGS/PING acknowledgements queued; 32 entries a SETTINGS
  // frame.
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_stream_reset_rate_limit(opt, 1000, 33);
  nghttp2_option_set_max_continuations(opt, 8);
  nghttp2_option_set_max_outbound_ack(opt, 1000);
  nghttp2_option_set_max_settings(opt, 32);
  return opt;
}

const char* h2_frame_name(uint8_t type) {
  switch (type) {
    case NGHTTP2_SETTINGS:
      return "SETTINGS";
    case NGHTTP2_PING:
      return "PING";
    case NGHTTP2_PRIORITY:
      return "PRIORITY";
    case NGHTTP2_RST_STREAM:
      return "RST_STREAM";
    default:
      return "other";
  }
}

}  // namespace kinesisd::net
