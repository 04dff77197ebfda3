// HTTP/1.1 sessions, plain or TLS on the same port: keep-alive, pipelining (requests are answered in order),
// deadlines for the TLS handshake, each request's head and body and each write, a body limit checked against
// Content-Length before the body is read.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <type_traits>
#include <cstring>
#include <ctime>
#include <optional>
#include <string_view>

#include "kinesisd/net/answer_headers.hpp"
#include "kinesisd/net/http2_session.hpp"
#include "kinesisd/net/http_server.hpp"

namespace kinesisd::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

http::response<http::string_body> to_http(api::ApiResponse&& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  for (const auto& [name, value] : answer_headers(r)) res.set(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

api::ApiRequest to_api(const http::request<http::string_body>& req, std::string&& body, bool all_headers) {
  api::ApiRequest r;
  r.method = std::string(req.method_string());
  const std::string_view target = req.target();
  const auto q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.target = std::string(req["X-Amz-Target"]);
  r.content_type = std::string(req[http::field::content_type]);
  r.authorization = std::string(req[http::field::authorization]);
  r.has_date = req.count("X-Amz-Date") != 0 || req.count(http::field::date) != 0;
  r.body = std::move(body);
  if (all_headers) {
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), std::string(field.value()));
    }
  }
  return r;
}


// Writes a final error answer and closes the connection without resetting it: the unread request body is
// drained for a moment so the client sees the answer rather than a reset.
template <class Stream>
asio::awaitable<void> answer_and_close(Stream& stream, beast::flat_buffer& buffer, api::ApiResponse response,
                                       SessionShared& shared) {
  auto res = to_http(std::move(response), 11, false);
  beast::get_lowest_layer(stream).expires_after(shared.limits.io_timeout);
  co_await http::async_write(stream, res, kTuple);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
  char sink[16384];
  for (int i = 0; i < 1024; ++i) {
    auto [read_ec, n] = co_await beast::get_lowest_layer(stream).async_read_some(asio::buffer(sink), kTuple);
    if (read_ec) break;
  }
}

// Sends an answer whose body comes from a ResponseStream as a chunked body, one chunk per piece as soon as it is
// produced (HTTP/1.0: raw, then the connection closes). False when the connection must close: it failed (the
// stream is cancelled then) or the body was not chunked.
template <class Stream>
asio::awaitable<bool> write_streamed(Stream& stream, api::ApiResponse answer, unsigned version, bool keep_alive,
                                     SessionShared& shared) {
  http::response<http::empty_body> res{static_cast<http::status>(answer.status), version};
  for (const auto& [name, value] : answer_headers(answer)) res.set(name, value);
  // HTTP/1.0 knows no chunked encoding: the body is the pieces as they are, ended by closing the connection.
  const bool chunked = version >= 11;
  res.keep_alive(keep_alive && chunked);
  res.chunked(chunked);
  http::response_serializer<http::empty_body> serializer{res};
  auto& socket = beast::get_lowest_layer(stream);
  socket.expires_after(shared.limits.io_timeout);
  if (auto [ec, n] = co_await http::async_write_header(stream, serializer, kTuple); ec) {
    answer.stream->cancel();
    co_return false;
  }
  for (;;) {
    socket.expires_never();  // waiting for the next event is not I/O
    std::optional<std::string> piece = co_await answer.stream->next();
    if (!piece) break;
    socket.expires_after(shared.limits.io_timeout);
    auto [ec, n] = chunked ? co_await asio::async_write(stream, http::make_chunk(asio::buffer(*piece)), kTuple)
                           : co_await asio::async_write(stream, asio::buffer(*piece), kTuple);
    if (ec) {
      answer.stream->cancel();
      co_return false;
    }
  }
  if (!chunked) co_return false;  // the end of the body is the end of the connection
  socket.expires_after(shared.limits.io_timeout);
  auto [ec, n] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
  co_return !ec;
}

// Per-connection memory for the documents of one request at a time (see ApiRequest::arena).
struct Arena {
  static constexpr size_t kInline = 8 * 1024;
  alignas(16) char inline_bytes[kInline];
  rapidjson::MemoryPoolAllocator<> pool{inline_bytes, kInline, 16 * 1024};
};

// At most this much is buffered before it parses: no trailer field fits a value Beast would throw for.
constexpr size_t kMaxBuffered = 64 * 1024;

// How much the wait for a request's first byte reads at most (a small request arrives whole in one read).
constexpr size_t kFirstRead = 16 * 1024;

template <class Stream>
asio::awaitable<void> serve(Stream& stream, beast::flat_buffer& buffer, SessionShared& shared) {
  auto arena = std::make_unique<Arena>();
  std::string answer_head;  // the head of each answer, reused
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(shared.limits.max_header_bytes));
    parser.body_limit(shared.limits.max_body_bytes);
    // Waiting for a request's first byte is idle time; from that byte the whole head must arrive within
    // header_timeout, and then the whole body within body_timeout (a deadline each, not per read, so a client
    // that dribbles bytes cannot hold the connection).
    auto& socket = beast::get_lowest_layer(stream);
    if (buffer.size() == 0) {
      socket.expires_after(shared.limits.idle_timeout);
      const size_t room = std::min(kFirstRead, buffer.max_size());
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(room), kTuple);
      if (iec) co_return;  // closed or idle too long
      buffer.commit(in);
    }
    socket.expires_after(shared.limits.header_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    // Answers are built as named values: GCC 12 destroys braced temporaries passed to a coroutine twice.
    if (ec == http::error::header_limit) {
      api::ApiResponse too_large{431, "text/plain", "Request header fields too large\n", "", nullptr};
      co_await answer_and_close(stream, buffer, std::move(too_large), shared);
      co_return;
    }
    // Beast already refuses a Content-Length over the body limit while reading the header.
    const bool declared_too_large =
        ec == http::error::body_limit ||
        (!ec && parser.content_length() && *parser.content_length() > shared.limits.max_body_bytes);
    if (declared_too_large) {
      api::ApiResponse too_large = api::body_too_large(shared.limits.max_body_bytes);
      co_await answer_and_close(stream, buffer, std::move(too_large), shared);
      co_return;
    }
    if (ec) co_return;  // closed, timed out or not HTTP: nothing to answer
    const auto& head = parser.get();
    if (beast::iequals(head[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, head.version()};
      socket.expires_after(shared.limits.io_timeout);
      if (auto [wec, wn] = co_await http::async_write(stream, cont, kTuple); wec) co_return;
    }
    socket.expires_after(shared.limits.body_timeout);
    std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec == http::error::body_limit) {
      api::ApiResponse too_large = api::body_too_large(shared.limits.max_body_bytes);
      co_await answer_and_close(stream, buffer, std::move(too_large), shared);
      co_return;
    }
    if (ec) co_return;
    auto request = parser.release();
    shared.requests_in_flight.fetch_add(1);
    struct InFlight {
      std::atomic<int>& n;
      ~InFlight() { n.fetch_sub(1); }
    } in_flight{shared.requests_in_flight};
    const bool keep_alive = request.keep_alive() && !shared.stopping.load();
    const unsigned version = request.version();
    arena->pool.Clear();
    api::ApiRequest api_request = to_api(request, std::move(request.body()), shared.collect_headers);
    api_request.arena = &arena->pool;
    api::ApiResponse answer = co_await shared.front_door->handle(std::move(api_request));
    arena->pool.Clear();  // the answer is encoded: nothing refers to the request's documents any more
    if (answer.stream) {
      const bool ok = co_await write_streamed(stream, std::move(answer), version, keep_alive, shared);
      if (!ok || !keep_alive) co_return;
      continue;
    }
    // The head is formatted by hand into a buffer the connection keeps (Beast's message would allocate each
    // header field), and goes out with the body in one gathered write.
    write_http1_head(answer_head, answer, version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(shared.limits.io_timeout);
    const std::array<asio::const_buffer, 2> pieces{asio::buffer(answer_head), asio::buffer(answer.body)};
    boost::system::error_code wec;
    size_t wn = 0;
    // Beast's TLS stream flattens a gathered write of up to 16 KiB into one record, but one larger than that never
    // completes (seen with Boost 1.81): there, head and body go out one after the other.
    constexpr size_t kFlattened = 16 * 1024;
    if (std::is_same_v<Stream, beast::tcp_stream> || answer_head.size() + answer.body.size() <= kFlattened) {
      std::tie(wec, wn) = co_await asio::async_write(stream, pieces, kTuple);
    } else {
      std::tie(wec, wn) = co_await asio::async_write(stream, pieces[0], kTuple);
      if (!wec) std::tie(wec, wn) = co_await asio::async_write(stream, pieces[1], kTuple);
    }
    if (wec || !keep_alive) co_return;
  }
}

// Reads until `buffer` holds at least 3 bytes: true when they begin HTTP/2's connection preface ("PRI * HTTP/2.0",
// prior knowledge; no HTTP/1.1 method begins with "PRI"), false for anything else, nullopt when the read failed.
template <class Stream>
asio::awaitable<std::optional<bool>> starts_with_h2_preface(Stream& stream, beast::flat_buffer& buffer) {
  while (buffer.size() < 3) {
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(64), kTuple);
    if (ec) co_return std::nullopt;
    buffer.commit(n);
  }
  co_return std::string_view(static_cast<const char*>(buffer.data().data()), 3) == "PRI";
}

asio::awaitable<void> run_session(tcp::socket socket, SessionShared& shared) {
  beast::tcp_stream stream(std::move(socket));
  // Bounded by the head limit (a read beyond it fails the request): Beast's header limit covers neither a
  // chunk-size line, whose extensions could otherwise grow without end, nor the trailer fields, and Beast
  // throws (out of the I/O thread, ending the process) for a field value over 65533 bytes.
  beast::flat_buffer buffer(std::min<size_t>(shared.limits.max_header_bytes, kMaxBuffered));
  // One deadline from accept: the first bytes (TLS or not) and, for TLS, the whole handshake.
  stream.expires_after(shared.limits.header_timeout);
  auto [ec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, kTuple);
  if (ec) co_return;
  if (!is_tls) {
    const auto h2 = co_await starts_with_h2_preface(stream, buffer);
    if (!h2) co_return;
    if (*h2) {
      co_await serve_http2(stream, buffer, shared);
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    co_await serve(stream, buffer, shared);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), *shared.tls);
  auto [hec, used] = co_await tls.async_handshake(asio::ssl::stream_base::server, buffer.data(), kTuple);
  if (hec) co_return;
  buffer.consume(used);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(tls.native_handle(), &alpn, &alpn_len);
  bool h2 = alpn_len == 2 && std::memcmp(alpn, "h2", 2) == 0;
  if (alpn_len == 0) {
    // No ALPN: the client may still speak HTTP/2 with prior knowledge, as the AWS SDK for Java v2's Netty client
    // does by default (ProtocolNegotiation.ASSUME_PROTOCOL offers no ALPN), so the first bytes decide.
    beast::get_lowest_layer(tls).expires_after(shared.limits.io_timeout);
    const auto preface = co_await starts_with_h2_preface(tls, buffer);
    if (!preface) co_return;
    h2 = *preface;
  }
  if (h2) {
    co_await serve_http2(tls, buffer, shared);
  } else {
    co_await serve(tls, buffer, shared);
  }
  beast::get_lowest_layer(tls).expires_after(std::chrono::seconds(2));
  co_await tls.async_shutdown(kTuple);
}

}  // namespace

void start_session(tcp::socket socket, SessionShared& shared) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  const auto address = peer.address();
  const auto verdict = shared.connections.admit(address);
  if (verdict != ConnectionLimiter::Verdict::kAdmitted) {
    // Closed at once, unread: the client sees the connection end. One line a second at most, with the count.
    if (auto refused = shared.connections.note_refusal(std::chrono::steady_clock::now())) {
      const bool total = verdict == ConnectionLimiter::Verdict::kTotalLimit;
      spdlog::warn(
          "event=connection_refused limit={} max={} client={} connections={} from_client={} "
          "refused_since_last_report={}",
          total ? "max-connections" : "max-connections-per-ip",
          total ? shared.connections.max_total() : shared.connections.max_per_address(), address.to_string(),
          shared.connections.total(), shared.connections.count(address), *refused);
    }
    socket.close(ec);
    return;
  }
  shared.active_sessions.fetch_add(1);
  auto executor = socket.get_executor();
  asio::co_spawn(executor, run_session(std::move(socket), shared), [&shared, address](std::exception_ptr e) {
    shared.connections.release(address);
    shared.active_sessions.fetch_sub(1);
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("event=session_failed error=\"{}\"", ex.what());
    }
  });
}

}  // namespace kinesisd::net
