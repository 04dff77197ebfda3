// The listener: accepts connections on one port and gives each to a session that serves HTTP/1.1 in plain
// text or inside TLS, whichever the first bytes show.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>

#include "kinesisd/api/front_door.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::net {

struct ServerLimits {
  size_t max_body_bytes = 16 * 1024 * 1024;  // larger than any valid Kinesis request
  size_t max_header_bytes = 64 * 1024;
  std::chrono::seconds idle_timeout{120};     // keep-alive wait for the next request
  std::chrono::seconds io_timeout{60};        // each read of a request, each write of a response
};

// Shared by every session of the server.
struct SessionShared {
  api::FrontDoor* front_door = nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls;
  ServerLimits limits;
  std::atomic<bool> stopping{false};
  std::atomic<int> active_sessions{0};
  std::atomic<int> requests_in_flight{0};  // read but not yet answered; shutdown waits for these only
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, SessionShared& shared) : ioc_(ioc), shared_(shared), acceptor_(ioc) {}

  // Binds and listens; returns the bound port (useful with port 0).
  Result<uint16_t> listen(const std::string& host, uint16_t port);
  // Starts accepting. REQUIRES: listen() succeeded.
  void start();
  // Stops accepting; sessions finish the request in hand and close.
  void stop();

 private:
  boost::asio::io_context& ioc_;
  SessionShared& shared_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

// Serves one accepted connection until it closes. Never throws.
void start_session(boost::asio::ip::tcp::socket socket, SessionShared& shared);

}  // namespace kinesisd::net
