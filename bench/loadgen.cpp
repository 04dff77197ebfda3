// Load generator for Kinesis-compatible servers: N keep-alive HTTP/1.1 connections, each sending one request
// at a time (no pipelining), for a fixed duration. Prints one JSON line with calls/s and records/s.
//
// Usage: loadgen --port P --op put-record|put-records [--host 127.0.0.1] [--connections 16] [--seconds 10]
//                [--stream bench] [--records 500] [--bytes 100] [--shards 1]
#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
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
  int threads = 1;
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
    if (o.op == "put-record") {
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
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> errors{0};
};

// Reads one HTTP response; returns its status code, or -1 on a broken connection.
int read_response(tcp::socket& s, std::string& buf) {
  for (;;) {
    const auto header_end = buf.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      const auto cl = buf.find("Content-Length: ");
      const auto cl2 = buf.find("content-length: ");
      const auto at = cl != std::string::npos && cl < header_end ? cl : cl2;
      const size_t length = (at != std::string::npos && at < header_end) ? std::stoul(buf.substr(at + 16)) : 0;
      const size_t total = header_end + 4 + length;
      if (buf.size() >= total) {
        const int status = std::atoi(buf.c_str() + 9);
        buf.erase(0, total);
        return status;
      }
    }
    char chunk[65536];
    boost::system::error_code ec;
    const size_t n = s.read_some(asio::buffer(chunk), ec);
    if (ec) return -1;
    buf.append(chunk, n);
  }
}

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
  std::atomic<bool> stop{false};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int c = 0; c < o.connections; ++c) {
    workers.emplace_back([&, c] {
      asio::io_context io;
      tcp::socket s(io);
      boost::system::error_code ec;
      s.connect(tcp::endpoint(asio::ip::make_address(o.host), static_cast<unsigned short>(o.port)), ec);
      if (ec) {
        stats.errors++;
        return;
      }
      s.set_option(tcp::no_delay(true));
      std::string buf;
      size_t next = static_cast<size_t>(c);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto& req = requests[next++ % requests.size()];
        asio::write(s, asio::buffer(req), ec);
        if (ec) break;
        const int status = read_response(s, buf);
        if (status < 0) break;
        if (status == 200) stats.calls++;
        else stats.errors++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& w : workers) w.join();
  const double calls = static_cast<double>(stats.calls.load()) / elapsed;
  const double records = calls * (o.op == "put-record" ? 1 : o.records);
  std::printf("{\"op\":\"%s\",\"connections\":%d,\"seconds\":%.1f,\"calls_per_s\":%.0f,\"records_per_s\":%.0f,"
              "\"errors\":%llu}\n",
              o.op.c_str(), o.connections, elapsed, calls, records,
              static_cast<unsigned long long>(stats.errors.load()));
  return 0;
}
