// Persists the stream catalog after control-plane changes, off the I/O threads. Concurrent changes share
// writes: a flush writes the newest snapshot, and flushes that find it already on disk return at once.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <string>

#include "kinesisd/engine/stream_registry.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::api {

class CatalogWriter {
 public:
  // `storage` runs the blocking writes; `path` is the catalog file.
  CatalogWriter(engine::StreamRegistry& registry, boost::asio::any_io_executor storage, std::string path)
      : registry_(registry), storage_(std::move(storage)), path_(std::move(path)) {}

  // Returns once the catalog on disk reflects every change made before the call.
  boost::asio::awaitable<Status> persist();
  // The registry version the catalog on disk reflects (0 before the first write).
  uint64_t durable_version() const { return written_version_.load(std::memory_order_acquire); }
  // The blocking part; safe from any thread.
  Status flush();

 private:
  engine::StreamRegistry& registry_;
  boost::asio::any_io_executor storage_;
  std::string path_;
  std::mutex write_mu_;
  std::atomic<uint64_t> written_version_ = 0;
};

}  // namespace kinesisd::api
