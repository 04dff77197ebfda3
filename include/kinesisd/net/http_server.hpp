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
#include "kinesisd/net/connection_limits.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::net {

// Defaults chosen never to cut a legitimate client: an SDK sends a request's head and body at once, so the
// head and body deadlines only bound slow senders (slowloris); waiting between requests is idle time, and an
// answer in progress (a SubscribeToShard event stream lasts minutes) has no deadline but its writes'.
struct ServerLimits {
  size_t max_body_bytes = 16 * 1024 * 1024;  // larger than any valid Kinesis request
  size_t max_header_bytes = 64 * 1024;       // an HTTP/1.1 head, or an HTTP/2 stream's header list
  std::chrono::milliseconds idle_timeout{120'000};  // keep-alive wait for the first byte of the next request
  // A request head from its first byte; a new connection's first bytes and TLS handshake from accept; the
  // HTTP/2 preface and first SETTINGS; an HTTP/2 stream's headers.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};  // complete head to complete body (HTTP/1.1 and per stream)
  std::chrono::milliseconds io_timeout{60'000};    // each write of a response
  size_t max_connections = 10'000;
  size_t max_connections_per_ip = 1024;
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
  ConnectionLimiter connections;           // configured from `limits` by HttpServer::start

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
