// SubscribeToShard's live subscriptions. A Subscription is the event stream of one call: an initial-response
// event, then SubscribeToShardEvents pushed as records are appended (the shard wakes it; no polling), with an
// empty event as a heartbeat when nothing arrives, and ChildShards when the shard ends. It ends after 5 minutes,
// at the end of a closed shard, when a newer subscription takes over (ResourceInUseException frame), when the
// stream or consumer goes away (ResourceNotFoundException frame), or when the server stops.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kinesisd/api/context.hpp"
#include "kinesisd/engine/token_bucket.hpp"

namespace kinesisd::api {

inline constexpr int64_t kTakeoverAfterMs = 5000;  // a second call within 5 s is refused; later, it takes over
inline constexpr int64_t kHeartbeatMs = 5000;      // an empty event when nothing else was sent for this long

class Subscription;

// AWS's text when a (consumer, shard) pair is already subscribed.
std::string in_use_message(const std::string& account, const std::string& stream, uint64_t shard_index,
                           const std::string& consumer);

// Who holds each (consumer, shard) subscription. Thread-safe.
class SubscriptionHub {
 public:
  // Registers `s` under `key` at `now_ms`. ResourceInUse when the previous successful call for the key was less
  // than 5 s ago; otherwise a live previous subscription is taken over (it ends with ResourceInUseException).
  Status claim(const std::string& key, const std::shared_ptr<Subscription>& s, int64_t now_ms,
               const std::string& in_use_message);
  // What claim() would refuse at `now_ms`, without claiming (DryRun).
  Status check(const std::string& key, int64_t now_ms, const std::string& in_use_message);
  // Ends every live subscription, and refuses new ones: the server is stopping.
  void end_all();

 private:
  struct Entry {
    std::weak_ptr<Subscription> subscription;
    int64_t started_ms = 0;
  };
  // What claim() and check() refuse. REQUIRES: mu_ held.
  Status refusal(const std::string& key, int64_t now_ms, const std::string& in_use_message) const;

  std::mutex mu_;
  bool stopping_ = false;
  std::map<std::string, Entry> entries_;
};

struct SubscriptionParams {
  std::string region;
  std::string stream_name;
  int64_t stream_created_ms = 0;
  std::string consumer_name;
  std::string consumer_arn;
  uint64_t shard_index = 0;
  uint64_t position = 0;  // the first position to deliver
  int64_t started_ms = 0;
};

class Subscription : public ResponseStream, public std::enable_shared_from_this<Subscription> {
 public:
  // `executor` is the connection's: next() and cancel() are called there, and wake-ups are posted to it.
  Subscription(Services& services, Protocol protocol, boost::asio::any_io_executor executor,
               SubscriptionParams params);

  boost::asio::awaitable<std::optional<std::string>> next() override;
  void cancel() override;
  // Thread-safe: a newer subscription replaced this one.
  void take_over();
  // Thread-safe: the server is stopping.
  void end();

 private:
  enum class Stop { kNone, kCancelled, kTakenOver, kServerStopping };
  void post_stop(Stop why);
  void wake();  // thread-safe
  boost::asio::awaitable<void> sleep(int64_t ms);
  std::string event(const rapidjson::Document& payload) const;
  std::string exception(std::string_view type, const std::string& message) const;
  // One step: the next message to send, nullopt to wait, or "" after finishing with nothing more to send.
  boost::asio::awaitable<std::optional<std::string>> step(int64_t now, int64_t& wait_ms);

  Services& services_;
  Protocol protocol_;
  boost::asio::any_io_executor executor_;
  SubscriptionParams p_;
  boost::asio::steady_timer timer_;
  // Executor state.
  bool initial_sent_ = false;
  bool finished_ = false;
  bool woken_ = false;
  bool armed_ = false;  // a shard wake-up is registered
  Stop stop_ = Stop::kNone;
  int64_t last_event_ms_ = 0;
  bool first_event_sent_ = false;
  engine::TokenBucket read_bytes_;
};

}  // namespace kinesisd::api
