#include "kinesisd/api/subscription.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kinesisd/api/consumer_ref.hpp"
#include "kinesisd/api/error_map.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/record_reading.hpp"
#include "kinesisd/engine/shard.hpp"
#include "kinesisd/protocol/cbor_codec.hpp"
#include "kinesisd/protocol/event_stream.hpp"
#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/util/async.hpp"
#include "kinesisd/util/clock.hpp"

namespace kinesisd::api {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxEventRecords = 10000;
constexpr size_t kMaxEventBytes = 2 * 1024 * 1024;
constexpr int64_t kRecheckMs = 1000;  // how often a waiting subscription re-reads the catalog (close, delete)
constexpr double kSubscriptionBytesPerSecond = 2.0 * 1024 * 1024;

// Event payloads: JSON for JSON requests, CBOR for CBOR requests.
std::string_view payload_content_type(Protocol p) {
  return p == Protocol::kCbor ? protocol::kCborContentType : std::string_view("application/json");
}

}  // namespace

std::string in_use_message(const std::string& account, const std::string& stream, uint64_t shard_index,
                           const std::string& consumer) {
  return "Another active subscription exists for this consumer: " + account + ":" + stream + ":" +
         engine::shard_id_for_index(shard_index) + ":" + consumer;
}

// --- SubscriptionHub ---

Status SubscriptionHub::claim(const std::string& key, const std::shared_ptr<Subscription>& s, int64_t now_ms,
                              const std::string& in_use_message) {
  std::shared_ptr<Subscription> previous;
  {
    std::lock_guard lock(mu_);
    if (auto refused = refusal(key, now_ms, in_use_message); !refused) return refused;
    std::erase_if(entries_, [now_ms](const auto& e) {
      return e.second.subscription.expired() && now_ms - e.second.started_ms >= kTakeoverAfterMs;
    });
    if (auto it = entries_.find(key); it != entries_.end()) previous = it->second.subscription.lock();
    entries_[key] = Entry{s, now_ms};
  }
  if (previous) previous->take_over();
  return Status::Ok();
}

Status SubscriptionHub::check(const std::string& key, int64_t now_ms, const std::string& in_use_message) {
  std::lock_guard lock(mu_);
  return refusal(key, now_ms, in_use_message);
}

Status SubscriptionHub::refusal(const std::string& key, int64_t now_ms, const std::string& in_use_message) const {
  if (stopping_) return make_error(ErrorCode::kInternal, "The server is shutting down.");
  auto it = entries_.find(key);
  if (it != entries_.end() && now_ms - it->second.started_ms < kTakeoverAfterMs) {
    return make_error(ErrorCode::kResourceInUse, in_use_message);
  }
  return Status::Ok();
}

void SubscriptionHub::end_all() {
  std::vector<std::shared_ptr<Subscription>> live;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [key, e] : entries_)
      if (auto s = e.subscription.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->end();
}


// --- Subscription ---

Subscription::Subscription(Services& services, Protocol protocol, asio::any_io_executor executor,
                           SubscriptionParams params)
    : services_(services),
      protocol_(protocol),
      executor_(executor),
      p_(std::move(params)),
      timer_(executor),
      read_bytes_(kSubscriptionBytesPerSecond, kSubscriptionBytesPerSecond) {}

void Subscription::cancel() { post_stop(Stop::kCancelled); }
void Subscription::take_over() { post_stop(Stop::kTakenOver); }
void Subscription::end() { post_stop(Stop::kServerStopping); }

void Subscription::post_stop(Stop why) {
  asio::post(executor_, [self = shared_from_this(), why] {
    if (self->stop_ == Stop::kNone) self->stop_ = why;
    self->woken_ = true;
    self->timer_.cancel();
  });
}

void Subscription::wake() {
  asio::post(executor_, [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    self->armed_ = false;
    self->woken_ = true;
    self->timer_.cancel();
  });
}

asio::awaitable<void> Subscription::sleep(int64_t ms) {
  if (!woken_ && ms > 0) {
    timer_.expires_after(std::chrono::milliseconds(ms));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  woken_ = false;
}

std::string Subscription::event(const rapidjson::Document& payload) const {
  const auto* shape = protocol::ServiceModel::instance().find_shape("SubscribeToShardEvent");
  const std::string body = protocol_ == Protocol::kCbor ? protocol::cbor_encode_output(shape, payload)
                                                        : protocol::json_encode_output(shape, payload);
  return protocol::encode_event("SubscribeToShardEvent", payload_content_type(protocol_), body);
}

std::string Subscription::exception(std::string_view type, const std::string& message) const {
  rapidjson::Document payload(rapidjson::kObjectType);
  OutBuilder(payload, payload.GetAllocator()).str("message", message);
  const auto* shape = protocol::ServiceModel::instance().find_shape(type);
  const std::string body = protocol_ == Protocol::kCbor ? protocol::cbor_encode_output(shape, payload)
                                                        : protocol::json_encode_output(shape, payload);
  return protocol::encode_exception(type, payload_content_type(protocol_), body);
}

asio::awaitable<std::optional<std::string>> Subscription::next() {
  if (!initial_sent_) {
    initial_sent_ = true;
    // The answer's own (empty) output, as every AWS event stream of the JSON protocols begins.
    const std::string empty = protocol_ == Protocol::kCbor ? std::string("\xA0", 1) : std::string("{}");
    co_return protocol::encode_event("initial-response", payload_content_type(protocol_), empty);
  }
  while (!finished_) {
    switch (stop_) {
      case Stop::kNone:
        break;
      case Stop::kTakenOver:
        finished_ = true;
        co_return exception("ResourceInUseException", in_use_message(services_.registry->limits().account,
                                                                     p_.stream_name, p_.shard_index,
                                                                     p_.consumer_name));
      default:  // cancelled by the transport, or the server is stopping: end the body cleanly
        finished_ = true;
        co_return std::nullopt;
    }
    int64_t wait_ms = 0;
    auto message = co_await step(now_ms(), wait_ms);
    if (message) co_return message;
    if (!finished_) co_await sleep(wait_ms);
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<std::string>> Subscription::step(int64_t now, int64_t& wait_ms) {
  const int64_t deadline = p_.started_ms + services_.subscription_lifetime_ms;
  if (now >= deadline) {
    finished_ = true;  // the 5 minutes are over: the body ends, and the client subscribes again
    co_return std::nullopt;
  }
  const std::string shard_id = engine::shard_id_for_index(p_.shard_index);
  auto ref = services_.registry->find_ref(p_.region, p_.stream_name, now);
  if (!ref || (*ref)->created_ms != p_.stream_created_ms ||
      (*ref)->status(now) == engine::StreamStatus::kDeleting) {
    finished_ = true;
    co_return exception("ResourceNotFoundException", services_.registry->not_found_message(p_.stream_name));
  }
  const auto stream = ref.value();  // keeps the snapshot alive across the awaits below
  const auto& s = *stream;
  const engine::ConsumerMeta* consumer = s.consumer_by_arn(p_.consumer_arn, now);
  if (consumer == nullptr || consumer->status(now) != engine::ConsumerStatus::kActive) {
    finished_ = true;
    co_return exception("ResourceNotFoundException", consumer_not_found(p_.consumer_name, s));
  }
  const engine::ShardMeta* shard_meta = find_shard(s, p_.shard_index);
  auto shard = shard_meta ? services_.data->shard(s, p_.shard_index) : nullptr;
  if (!shard) {
    finished_ = true;
    co_return exception("ResourceNotFoundException", shard_missing_message(shard_id, s));
  }
  const auto& log = shard->log();
  const std::optional<uint64_t> end = shard_meta->end_position;
  const bool limits = services_.throughput_limits;

  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  const uint64_t created_secs = static_cast<uint64_t>(shard_meta->created_ms / 1000);
  auto finish_event = [&](int64_t behind) {
    const bool at_end = end && p_.position >= *end;
    if (at_end) {
      // The shard is closed and everything in it was delivered: name the children, leave out the continuation
      // (AWS's shard-end signal, which the KCL checks), and end the stream.
      write_child_shards(s, shard_id, b.array("ChildShards"), alloc);
      finished_ = true;
    } else {
      // The point just before the next record: AT_ and AFTER_SEQUENCE_NUMBER both resume exactly there.
      b.str("ContinuationSequenceNumber",
            engine::SequenceNumber::before(created_secs, p_.shard_index, p_.position).to_string());
    }
    b.num("MillisBehindLatest", behind);
    last_event_ms_ = now;
    first_event_sent_ = true;
    return event(out);
  };

  const bool readable = log.end_position() > p_.position && !(end && p_.position >= *end);
  const bool budget = !limits || read_bytes_.tokens(now) > 0;
  if (readable && budget) {
    const size_t max_bytes =
        limits ? std::min(kMaxEventBytes, static_cast<size_t>(read_bytes_.tokens(now))) : kMaxEventBytes;
    struct Read {
      Result<storage::ReadResult> result = make_error(ErrorCode::kInternal, "");
      std::optional<int64_t> next_arrival;
    };
    const engine::RecordCipher* cipher = services_.data->cipher();
    const uint64_t from = p_.position;
    Read read = co_await run_on<Read>(services_.reads, [&log, from, max_bytes, cipher] {
      Read r;
      r.result = log.read(from, kMaxEventRecords, std::max<size_t>(1, max_bytes));
      if (r.result) {
        if (auto opened = open_sealed(cipher, log, r.result.value()); !opened) r.result = opened.error();
      }
      if (r.result && r.result->next_position < log.end_position()) {
        r.next_arrival = log.arrival_of(r.result->next_position);
      }
      return r;
    });
    if (!read.result) {
      finished_ = true;
      co_return exception("InternalFailureException",
                          public_error(read.result.error(), "SubscribeToShard").message);
    }
    auto& batch = read.result.value();
    if (limits) read_bytes_.charge(static_cast<double>(batch.bytes), now);
    p_.position = batch.next_position;
    write_records(*shard_meta, batch, b.array("Records"), alloc);
    co_return finish_event(read.next_arrival ? std::max<int64_t>(0, now - *read.next_arrival) : 0);
  }
  const bool at_end = end && p_.position >= *end;
  if (at_end || !first_event_sent_ || now - last_event_ms_ >= kHeartbeatMs) {
    b.array("Records");
    int64_t behind = 0;
    if (readable) {  // held back by the 2 MiB/s budget; the arrival time is a disk read, so on the read pool
      const uint64_t at = p_.position;
      auto arrival = co_await run_on<std::optional<int64_t>>(
          services_.reads, [&log, at] { return log.arrival_of(std::max(at, log.start_position())); });
      if (arrival) behind = std::max<int64_t>(0, now - *arrival);
    }
    co_return finish_event(behind);
  }
  // Nothing to send yet: wait for an append, the budget, the heartbeat, the deadline or a catalog re-check.
  if (!armed_ && !readable) {
    armed_ = true;
    shard->when_readable(p_.position, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->wake();
    });
  }
  wait_ms = std::min({kHeartbeatMs - (now - last_event_ms_), deadline - now, kRecheckMs});
  if (readable && limits) {
    const double debt = -read_bytes_.tokens(now);
    wait_ms = std::min<int64_t>(wait_ms, static_cast<int64_t>(debt * 1000.0 / kSubscriptionBytesPerSecond) + 1);
  }
  co_return std::nullopt;
}

}  // namespace kinesisd::api
