#include "kinesisd/net/http2_session.hpp"

#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "kinesisd/net/answer_headers.hpp"
#include "kinesisd/net/http2_guard.hpp"
#include "kinesisd/net/http2_stream.hpp"

namespace kinesisd::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr uint32_t kMaxConcurrentStreams = 128;
constexpr int32_t kWindow = 16 * 1024 * 1024;

// A streamed answer buffers at most this much beyond what flow control lets out before the pump waits.
constexpr size_t kStreamHighWater = 4 * 1024 * 1024;

// State shared by the reader, the writer and the request coroutines of one connection; all run on the
// connection's strand, so nothing here needs a lock.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(Stream& stream, SessionShared& shared)
      : stream_(stream),
        shared_(shared),
        wake_(stream.get_executor()),
        deadlines_(stream.get_executor()),
        guard_(shared.limits.header_timeout, shared.limits.body_timeout),
        preface_deadline_(asio::steady_timer::clock_type::now() + shared.limits.header_timeout) {
    wake_.expires_at(asio::steady_timer::time_point::max());
    deadlines_.expires_at(asio::steady_timer::time_point::max());
  }
  ~Connection() {
    if (hook_) shared_.remove_stop_hook(hook_);
    if (session_) nghttp2_session_del(session_);
  }

  // Called (through the stop hook, on the connection's strand) when the server begins to stop.
  void go_away() {
    if (goaway_sent_ || done_) return;
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                          NGHTTP2_NO_ERROR, nullptr, 0);
    goaway_sent_ = true;
    wake();
  }

  bool start() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, &on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &on_frame);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &on_close);
    nghttp2_option* opt = new_server_options();
    const int rv = nghttp2_session_server_new2(&session_, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    if (rv != 0) return false;
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kWindow},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(shared_.limits.max_header_bytes)}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 3);
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kWindow);
    std::weak_ptr<Connection> weak = this->shared_from_this();
    auto executor = stream_.get_executor();
    hook_ = shared_.add_stop_hook([weak, executor] {
      asio::post(executor, [weak] {
        if (auto c = weak.lock()) c->go_away();
      });
    });
    if (shared_.stopping) go_away();
    return true;
  }

  // Feeds bytes to nghttp2; false when the connection must end (protocol error).
  bool receive(const void* data, size_t n) {
    const ssize_t rv = nghttp2_session_mem_recv(session_, static_cast<const uint8_t*>(data), n);
    if (rv < 0) {
      spdlog::debug("event=h2_protocol_error error=\"{}\"", nghttp2_strerror(static_cast<int>(rv)));
      return false;
    }
    wake();
    return true;
  }

  asio::awaitable<void> reader(beast::flat_buffer& buffer) {
    auto self = this->shared_from_this();
    if (buffer.size() > 0) {
      if (!receive(buffer.data().data(), buffer.size())) co_return finish();
      buffer.consume(buffer.size());
    }
    char chunk[16384];
    while (!done_ && !calm_) {
      // The preface and the client's first SETTINGS must arrive within header_timeout of the connection's
      // start; then a connection serving a long answer (an event stream) waits for its client without an idle
      // limit. A stream's own headers and body have deadlines of their own (the watchdog).
      if (!settings_seen_) {
        beast::get_lowest_layer(stream_).expires_at(preface_deadline_);
      } else if (in_flight_ > 0) {
        beast::get_lowest_layer(stream_).expires_never();
      } else {
        beast::get_lowest_layer(stream_).expires_after(shared_.limits.idle_timeout);
      }
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(chunk), kTuple);
      if (ec || !receive(chunk, n)) break;
      if (shared_.stopping) go_away();
    }
    // A flooding peer was sent GOAWAY: the writer flushes it and ends the connection.
    if (!calm_) finish();
  }

  // Resets request streams that did not deliver their headers or body in time.
  asio::awaitable<void> watchdog() {
    auto self = this->shared_from_this();
    while (!done_) {
      for (int32_t id : guard_.take_expired(asio::steady_timer::clock_type::now())) {
        spdlog::debug("event=h2_stream_timeout stream={}", id);
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
        wake();
      }
      deadlines_.expires_at(guard_.next_deadline().value_or(asio::steady_timer::time_point::max()));
      co_await deadlines_.async_wait(kTuple);
    }
  }

  asio::awaitable<void> writer() {
    auto self = this->shared_from_this();
    for (;;) {
      for (;;) {
        const uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) co_return finish();
        if (n == 0) break;
        // Copy: nghttp2 reuses its buffer on the next call, and the write completes asynchronously.
        std::string out(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
        // Sets the write timer only (a read is pending): a peer that stops reading is dropped after io_timeout.
        beast::get_lowest_layer(stream_).expires_after(shared_.limits.io_timeout);
        auto [ec, written] = co_await asio::async_write(stream_, asio::buffer(out), kTuple);
        if (ec) co_return finish();
      }
      if (done_ || (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_) &&
                    (in_flight_ == 0 || calm_))) {
        co_return finish();
      }
      if (!wake_pending_) co_await wake_.async_wait(kTuple);
      wake_pending_ = false;
      wake_.expires_at(asio::steady_timer::time_point::max());
    }
  }

 private:
  void wake() {
    wake_pending_ = true;
    wake_.cancel();
  }
  // The watchdog's timer fires at the earliest stream deadline; called whenever one is set.
  void arm() {
    const auto next = guard_.next_deadline();
    if (next && *next < deadlines_.expiry()) deadlines_.expires_at(*next);  // wakes the watchdog to re-plan
  }

  // Ends a flooding connection: GOAWAY with ENHANCE_YOUR_CALM, then nothing more is read.
  void calm_down(const char* what) {
    if (calm_) return;
    calm_ = true;
    spdlog::warn("event=h2_flood frame={} action=goaway error=ENHANCE_YOUR_CALM", what);
    nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
    wake();
  }

  void finish() {
    done_ = true;
    deadlines_.cancel();
    for (auto& [id, st] : streams_) {
      if (st->producer) st->producer->cancel();
      if (st->drained) st->drained->cancel();
    }
    wake();
    boost::system::error_code ec;
    beast::get_lowest_layer(stream_).socket().cancel(ec);
  }

  // Runs the request through the front door and queues the answer on its stream.
  asio::awaitable<void> answer(int32_t id, std::shared_ptr<H2Stream> s) {
    auto self = this->shared_from_this();
    shared_.requests_in_flight.fetch_add(1);
    struct Done {  // in_flight_ was counted when the request ended (on_frame)
      Connection& c;
      ~Done() {
        c.shared_.requests_in_flight.fetch_sub(1);
        --c.in_flight_;
        c.wake();  // the writer may be waiting for the last answer to end the connection
      }
    } counted{*this};
    api::ApiResponse r;
    if (s->too_large) {
      r = api::body_too_large(shared_.limits.max_body_bytes);
    } else {
      r = co_await shared_.front_door->handle(std::move(s->request));
    }
    if (done_ || streams_.find(id) == streams_.end()) {  // reset by the peer meanwhile
      if (r.stream) r.stream->cancel();
      co_return;
    }
    s->body = std::move(r.body);
    s->headers = {{":status", std::to_string(r.status)}};
    if (!r.stream) s->headers.emplace_back("content-length", std::to_string(s->body.size()));
    for (auto& [name, value] : answer_headers(r)) {
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // HTTP/2 wants lowercase
      s->headers.emplace_back(std::move(name), std::move(value));
    }
    std::vector<nghttp2_nv> nva;
    for (auto& [name, value] : s->headers) {
      nva.push_back({reinterpret_cast<uint8_t*>(name.data()), reinterpret_cast<uint8_t*>(value.data()),
                     name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider provider{};
    provider.source.ptr = s.get();
    provider.read_callback = &read_h2_body;
    s->producer = r.stream;
    nghttp2_submit_response(session_, id, nva.data(), nva.size(), &provider);
    wake();
    if (s->producer) co_await pump(id, s);
  }

  // Moves a streamed answer's pieces from its producer to the stream's buffer until the producer ends, the peer
  // resets the stream, or the connection closes.
  asio::awaitable<void> pump(int32_t id, std::shared_ptr<H2Stream> s) {
    s->drained.emplace(stream_.get_executor());
    for (;;) {
      while (!done_ && streams_.count(id) != 0 && s->unsent() > kStreamHighWater) {
        // A peer that takes none of the stream's data (no WINDOW_UPDATE) for io_timeout loses the stream.
        s->drained->expires_after(shared_.limits.io_timeout);
        auto [ec] = co_await s->drained->async_wait(kTuple);
        if (!ec && !done_ && streams_.count(id) != 0 && s->unsent() > kStreamHighWater) {
          nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
          wake();
          break;
        }
      }
      if (done_ || streams_.count(id) == 0) break;
      std::optional<std::string> piece = co_await s->producer->next();
      if (done_ || streams_.count(id) == 0) break;
      if (piece) {
        s->body += *piece;
      } else {
        s->eof = true;
      }
      if (s->deferred) {
        s->deferred = false;
        nghttp2_session_resume_data(session_, id);
      }
      wake();
      if (s->eof) co_return;
    }
    s->producer->cancel();
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* c = static_cast<Connection*>(user);
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      c->streams_[frame->hd.stream_id] = std::make_shared<H2Stream>();
      c->guard_.stream_opened(frame->hd.stream_id, asio::steady_timer::clock_type::now());
      c->arm();
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    auto* c = static_cast<Connection*>(user);
    auto it = c->streams_.find(frame->hd.stream_id);
    if (it == c->streams_.end()) return 0;
    // A header list over the limit resets the stream (before anything is kept): HPACK lets a few bytes on the
    // wire stand for kilobytes of headers.
    it->second->header_bytes += namelen + valuelen + 32;
    if (it->second->header_bytes > c->shared_.limits.max_header_bytes)
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    add_request_header(*it->second, std::string_view(reinterpret_cast<const char*>(name), namelen),
                       std::string(reinterpret_cast<const char*>(value), valuelen),
                       c->shared_.collect_headers);
    return 0;
  }

  static int on_data(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* user) {
    auto* c = static_cast<Connection*>(user);
    auto it = c->streams_.find(id);
    if (it == c->streams_.end()) return 0;
    auto& s = *it->second;
    if (s.request.body.size() + len > c->shared_.limits.max_body_bytes) {
      s.too_large = true;  // keep reading and discarding; answer 413 at the end of the stream
      s.request.body.clear();
      return 0;
    }
    if (!s.too_large) s.request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* c = static_cast<Connection*>(user);
    const auto now = asio::steady_timer::clock_type::now();
    switch (frame->hd.type) {
      case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) c->settings_seen_ = true;
        [[fallthrough]];
      case NGHTTP2_PING:
      case NGHTTP2_PRIORITY:
      case NGHTTP2_RST_STREAM:
        if (!c->guard_.control_frame(now)) c->calm_down(h2_frame_name(frame->hd.type));
        break;
      default:
        break;
    }
    const bool ends_request = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                              (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
    if (!ends_request) {
      if (frame->hd.type == NGHTTP2_HEADERS) {
        c->guard_.headers_complete(frame->hd.stream_id, now);
        c->arm();
      }
      return 0;
    }
    c->guard_.request_complete(frame->hd.stream_id);
    auto it = c->streams_.find(frame->hd.stream_id);
    if (it == c->streams_.end()) return 0;
    ++c->in_flight_;  // counted now, so the reader knows at once that an answer is pending
    asio::co_spawn(c->stream_.get_executor(), c->answer(frame->hd.stream_id, it->second), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("event=h2_request_failed error=\"{}\"", ex.what());
      }
    });
    return 0;
  }

  static int on_close(nghttp2_session*, int32_t id, uint32_t, void* user) {
    auto* c = static_cast<Connection*>(user);
    c->guard_.request_complete(id);
    auto it = c->streams_.find(id);
    if (it == c->streams_.end()) return 0;
    if (it->second->producer && !it->second->eof) it->second->producer->cancel();
    if (it->second->drained) it->second->drained->cancel();
    c->streams_.erase(it);
    return 0;
  }

  Stream& stream_;
  SessionShared& shared_;
  nghttp2_session* session_ = nullptr;
  asio::steady_timer wake_;
  asio::steady_timer deadlines_;  // the watchdog waits here for the earliest stream deadline
  Http2Guard guard_;
  asio::steady_timer::time_point preface_deadline_;
  bool settings_seen_ = false;  // the client's first SETTINGS (after its preface) has arrived
  bool calm_ = false;           // flooding: GOAWAY(ENHANCE_YOUR_CALM) submitted, nothing more is read
  bool wake_pending_ = false;
  bool done_ = false;
  bool goaway_sent_ = false;
  int in_flight_ = 0;
  uint64_t hook_ = 0;
  std::map<int32_t, std::shared_ptr<H2Stream>> streams_;
};

template <class Stream>
asio::awaitable<void> serve(Stream& stream, beast::flat_buffer& buffer, SessionShared& shared) {
  auto connection = std::make_shared<Connection<Stream>>(stream, shared);
  if (!connection->start()) co_return;
  // The writer runs beside the reader; the connection ends when both have.
  struct WriterDone {
    asio::steady_timer timer;
    bool finished = false;
  };
  auto writer_done = std::make_shared<WriterDone>(WriterDone{
      asio::steady_timer(stream.get_executor(), asio::steady_timer::time_point::max()), false});
  asio::co_spawn(stream.get_executor(), connection->writer(), [writer_done](std::exception_ptr) {
    writer_done->finished = true;
    writer_done->timer.cancel();
  });
  asio::co_spawn(stream.get_executor(), connection->watchdog(), asio::detached);
  co_await connection->reader(buffer);
  if (!writer_done->finished) co_await writer_done->timer.async_wait(kTuple);
}

}  // namespace

asio::awaitable<void> serve_http2(beast::tcp_stream& stream, beast::flat_buffer& buffer, SessionShared& shared) {
  co_await serve(stream, buffer, shared);
}

asio::awaitable<void> serve_http2(beast::ssl_stream<beast::tcp_stream>& stream, beast::flat_buffer& buffer,
                                  SessionShared& shared) {
  co_await serve(stream, buffer, shared);
}

}  // namespace kinesisd::net
