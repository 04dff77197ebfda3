#include "server_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "kinesisd/server/app.hpp"
#include "kinesisd/server/config.hpp"

namespace kinesisd::fuzz {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "server_harness: %s\n", what.c_str());
  std::abort();
}

struct Server {
  std::string root;
  std::thread thread;
  uint16_t port = 0;

  Server() {
    std::string tmpl = fs::temp_directory_path().string() + "/kinesisd-fuzz-http-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) fail("mkdtemp failed");
    root = tmpl;
    server::Config c;
    c.listen_host = "127.0.0.1";
    c.listen_port = 0;
    c.data_dir = root + "/data";
    c.port_file = root + "/port";
    c.log_level = "off";
    c.io_threads = 1;
    c.fsync = "never";
    c.create_stream_ms = c.delete_stream_ms = c.update_stream_ms = 0;
    c.subscription_lifetime_ms = 1000;
    thread = std::thread([c] { server::run(c); });
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (port == 0) {
      if (Clock::now() > deadline) fail("the server did not write its port file within 60 s");
      std::ifstream f(c.port_file);
      unsigned p = 0;
      if (f >> p) port = static_cast<uint16_t>(p);
      else std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // At exit the server is stopped as kinesisd is (SIGTERM, which its signal_set handles), so it does not run
  // while static objects are destroyed.
  void stop() {
    if (!thread.joinable()) return;
    ::kill(::getpid(), SIGTERM);
    thread.join();
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

Server& server() {
  static Server* s = [] {
    auto* created = new Server();
    std::atexit([] { server().stop(); });
    return created;
  }();
  return *s;
}

bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;  // the server may close early (a refused request): not a failure
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

void exchange(std::string_view prefix, const uint8_t* data, size_t size) {
  Server& s = server();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(s.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("the server refused a connection");
  if (send_all(fd, prefix.data(), prefix.size()) && send_all(fd, reinterpret_cast<const char*>(data), size)) {
    ::shutdown(fd, SHUT_WR);
  }
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  char buf[16384];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    if (::recv(fd, buf, sizeof buf, 0) <= 0) break;
  }
  ::close(fd);
}

}  // namespace kinesisd::fuzz
