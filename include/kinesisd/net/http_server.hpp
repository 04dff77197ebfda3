// The listener: accepts connections on one port and gives each to a session that serves HTTP/1.1 in plain
// text or inside TLS, whichever the first bytes show.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

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
  bool collect_headers = false;  // pass every header to the API (signature verification needs them)
  std::atomic<bool> stopping{false};
  std::atomic<int> active_sessions{0};
  std::atomic<int> requests_in_flight{0};  // read but not yet answered; shutdown waits for these only

  // HTTP/2 sessions register a hook that sends GOAWAY; shutdown calls them all, idle sessions included.
  uint64_t add_stop_hook(std::function<void()> hook) {
    std::lock_guard lock(hooks_mu);
    stop_hooks[++next_hook] = std::move(hook);
    return next_hook;
  }
  void remove_stop_hook(uint64_t id) {
    std::lock_guard lock(hooks_mu);
    stop_hooks.erase(id);
  }
  void run_stop_hooks() {
    std::lock_guard lock(hooks_mu);
    for (auto& [id, hook] : stop_hooks) hook();
  }

 private:
  std::mutex hooks_mu;
  std::map<uint64_t, std::function<void()>> stop_hooks;
  uint64_t next_hook = 0;
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
