// Caps on concurrent connections, in total and per client address, so that one client (or a flood of idle or
// slow connections) cannot take every file descriptor; and a refusal log that says so at most once a second.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kinesisd::net {

class ConnectionLimiter {
 public:
  enum class Verdict { kAdmitted, kTotalLimit, kAddressLimit };

  // Takes effect for connections admitted afterwards. REQUIRES: both at least 1.
  void set_limits(size_t max_total, size_t max_per_address);

  // Counts the connection when admitted; a refused one is not counted (nothing to release). Thread-safe.
  Verdict admit(const boost::asio::ip::address& address);
  // REQUIRES: `address` was admitted and not yet released.
  void release(const boost::asio::ip::address& address);

  size_t total() const;
  size_t count(const boost::asio::ip::address& address) const;

  // Records a refusal; returns how many refusals (this one included) the caller should report in one log
  // line now, or nothing when a line was logged less than `interval` ago (the count carries over).
  std::optional<uint64_t> note_refusal(std::chrono::steady_clock::time_point now,
                                       std::chrono::milliseconds interval = std::chrono::seconds(1));

  size_t max_total() const { return max_total_; }
  size_t max_per_address() const { return max_per_address_; }

 private:
  mutable std::mutex mu_;
  size_t max_total_ = 10000;
  size_t max_per_address_ = 1024;
  size_t total_ = 0;
  std::map<boost::asio::ip::address, size_t> per_address_;
  uint64_t unreported_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_report_;
};

// Raises the soft RLIMIT_NOFILE towards `wanted` (never above the hard limit, never lowers it); returns the
// soft limit in effect afterwards.
uint64_t raise_open_file_limit(uint64_t wanted);

}  // namespace kinesisd::net
