#include "kinesisd/net/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kinesisd::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<uint16_t> HttpServer::listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "invalid listen address '" + host + "': " + ec.message());
  const tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kInternal,
                      "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  return acceptor_.local_endpoint().port();
}

void HttpServer::start() {
  shared_.connections.set_limits(shared_.limits.max_connections, shared_.limits.max_connections_per_ip);
  asio::co_spawn(
      ioc_,
      [this]() -> asio::awaitable<void> {
        asio::steady_timer pause(ioc_);
        uint64_t failures = 0;
        for (;;) {
          tcp::socket socket(asio::make_strand(ioc_));
          auto [ec] = co_await acceptor_.async_accept(socket, asio::as_tuple(asio::use_awaitable));
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
          if (ec) {
            // Out of file descriptors (EMFILE) the pending connection stays queued and accept fails again at
            // once: pause instead of spinning, and log the first failure and then every thousandth.
            if (failures++ % 1000 == 0) {
              spdlog::warn("event=accept_failed error=\"{}\" failures={}", ec.message(), failures);
            }
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
          }
          failures = 0;
          socket.set_option(tcp::no_delay(true), ec);
          start_session(std::move(socket), shared_);
        }
      },
      asio::detached);
}

void HttpServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

}  // namespace kinesisd::net
