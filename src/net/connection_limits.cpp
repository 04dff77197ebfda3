#include "kinesisd/net/connection_limits.hpp"

#include <sys/resource.h>

namespace kinesisd::net {

void ConnectionLimiter::set_limits(size_t max_total, size_t max_per_address) {
  std::lock_guard lock(mu_);
  max_total_ = max_total;
  max_per_address_ = max_per_address;
}

ConnectionLimiter::Verdict ConnectionLimiter::admit(const boost::asio::ip::address& address) {
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) return Verdict::kTotalLimit;
  size_t& n = per_address_[address];
  if (n >= max_per_address_) return Verdict::kAddressLimit;  // n > 0 here: the entry existed
  ++n;
  ++total_;
  return Verdict::kAdmitted;
}

void ConnectionLimiter::release(const boost::asio::ip::address& address) {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  --total_;
  if (--it->second == 0) per_address_.erase(it);
}

size_t ConnectionLimiter::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

size_t ConnectionLimiter::count(const boost::asio::ip::address& address) const {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

std::optional<uint64_t> ConnectionLimiter::note_refusal(std::chrono::steady_clock::time_point now,
                                                        std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  ++unreported_;
  if (last_report_ && now - *last_report_ < interval) return std::nullopt;
  last_report_ = now;
  const uint64_t n = unreported_;
  unreported_ = 0;
  return n;
}

uint64_t raise_open_file_limit(uint64_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted) {
    rlimit raised = lim;
    raised.rlim_cur = (lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= wanted) ? wanted : lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(lim.rlim_cur);
}

}  // namespace kinesisd::net
