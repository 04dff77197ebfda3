// HTTP/2 server sessions (nghttp2) over a plain or TLS stream: h2c with prior knowledge, or ALPN "h2". Each
// request stream is handed to the same api::FrontDoor as HTTP/1.1 requests; many streams run concurrently on
// one connection and answer in any order.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "kinesisd/net/http_server.hpp"

namespace kinesisd::net {

// The client connection preface every HTTP/2 connection starts with.
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Serves HTTP/2 until the peer or the server ends the connection. `buffer` holds bytes already read (the
// preface, or part of it). Never throws.
boost::asio::awaitable<void> serve_http2(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                         SessionShared& shared);
boost::asio::awaitable<void> serve_http2(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                         boost::beast::flat_buffer& buffer, SessionShared& shared);

}  // namespace kinesisd::net
