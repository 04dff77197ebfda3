// Load generator for Kinesis-compatible servers: N keep-alive HTTP/1.1 connections, each sending one request
// at a time (no pipelining), for a fixed duration. Prints one JSON line with calls/s and records/s.
//
// All connections run on one thread, asynchronously, so the generator costs little next to the server.
//
// Usage: loadgen --port P --op put-record|put-records|describe-stream-summary [--host 127.0.0.1] [--connections 16] [--seconds 10]
//                [--stream bench] [--records 500] [--bytes 100] [--shards 1]
#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "kinesisd/util/base64.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 4567;
  std::string op = "put-records";
  int connections = 16;
  double seconds = 10;
  std::string stream = "bench";
  int records = 500;
  int bytes = 100;
};

std::string make_request(const Options& o, const std::string& target, const std::string& body) {
  return "POST / HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) +
         "\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202." + target +
         "\r\nX-Amz-Date: 20261122T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 "
         "Credential=AKID/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
         "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::vector<std::string> make_requests(const Options& o) {
  const std::string data = kinesisd::base64_encode(std::string(static_cast<size_t>(o.bytes), 'd'));
  std::vector<std::string> out;
  for (int variant = 0; variant < 64; ++variant) {
    if (o.op == "describe-stream-summary") {
      out.push_back(make_request(o, "DescribeStreamSummary", R"({"StreamName":")" + o.stream + R"("})"));
    } else if (o.op == "put-record") {
      out.push_back(make_request(o, "PutRecord",
                                 R"({"StreamName":")" + o.stream + R"(","Data":")" + data +
                                     R"(","PartitionKey":"key-)" + std::to_string(variant) + R"("})"));
    } else {
      std::string body = R"({"StreamName":")" + o.stream + R"(","Records":[)";
      for (int i = 0; i < o.records; ++i) {
        if (i) body += ",";
        body += R"({"Data":")" + data + R"(","PartitionKey":"key-)" + std::to_string(variant * o.records + i) + R"("})";
      }
      out.push_back(make_request(o, "PutRecords", body + "]}"));
    }
  }
  return out;
}

struct Stats {
  uint64_t calls = 0;
  uint64_t errors = 0;
};

// One keep-alive connection sending the next request when the previous response is complete. All connections
// run on one thread (like wrk), so the generator's own scheduling stays out of the measurement.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, const std::vector<std::string>& requests, size_t first, Stats& stats,
             const bool& stop)
      : socket_(io), requests_(requests), next_(first), stats_(stats), stop_(stop) {}

  void start(const tcp::endpoint& endpoint) {
    socket_.async_connect(endpoint, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) {
        self->stats_.errors++;
        return;
      }
      self->socket_.set_option(tcp::no_delay(true));
      self->send();
    });
  }

 private:
  void send() {
    if (stop_) return;
    const auto& req = requests_[next_++ % requests_.size()];
    asio::async_write(socket_, asio::buffer(req), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (!ec) self->receive();
    });
  }
  void receive() {
    if (int status = parse(); status != 0) {
      if (status == 200) stats_.calls++;
      else stats_.errors++;
      send();
      return;
    }
    socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
      if (ec) return;
      self->buf_.append(self->chunk_, n);
      self->receive();
    });
  }
  // The status of a complete response at the front of buf_ (consumed), or 0 when more bytes are needed.
  int parse() {
    const auto header_end = buf_.find("\r\n\r\n");
    if (header_end == std::string::npos) return 0;
    size_t length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
      const auto at = buf_.find(name);
      if (at != std::string::npos && at < header_end) length = std::stoul(buf_.substr(at + 16));
    }
    const size_t total = header_end + 4 + length;
    if (buf_.size() < total) return 0;
    const int status = std::atoi(buf_.c_str() + 9);
    buf_.erase(0, total);
    return status;
  }

  tcp::socket socket_;
  const std::vector<std::string>& requests_;
  size_t next_;
  Stats& stats_;
  const bool& stop_;
  std::string buf_;
  char chunk_[65536];
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--host") o.host = v;
    else if (k == "--port") o.port = std::stoi(v);
    else if (k == "--op") o.op = v;
    else if (k == "--connections") o.connections = std::stoi(v);
    else if (k == "--seconds") o.seconds = std::stod(v);
    else if (k == "--stream") o.stream = v;
    else if (k == "--records") o.records = std::stoi(v);
    else if (k == "--bytes") o.bytes = std::stoi(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  const auto requests = make_requests(o);
  Stats stats;
  bool stop = false;
  asio::io_context io(1);
  const tcp::endpoint endpoint(asio::ip::make_address(o.host), static_cast<unsigned short>(o.port));
  for (int c = 0; c < o.connections; ++c)
    std::make_shared<Connection>(io, requests, static_cast<size_t>(c), stats, stop)->start(endpoint);
  asio::steady_timer timer(io, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(o.seconds)));
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  uint64_t calls_at_stop = 0;
  timer.async_wait([&](boost::system::error_code) {
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    calls_at_stop = stats.calls;
    stop = true;
    io.stop();
  });
  io.run();
  stats.calls = calls_at_stop;
  const double calls = static_cast<double>(stats.calls) / elapsed;
  const double records = calls * (o.op == "put-records" ? o.records : 1);
  std::printf("{\"op\":\"%s\",\"connections\":%d,\"seconds\":%.1f,\"calls_per_s\":%.0f,\"records_per_s\":%.0f,"
              "\"errors\":%llu}\n",
              o.op.c_str(), o.connections, elapsed, calls, records,
              static_cast<unsigned long long>(stats.errors));
  return 0;
}
