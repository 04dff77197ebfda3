// SubscribeToShard: checks the call as AWS does, claims the (consumer, shard) pair, and hands the transport a
// Subscription that streams the events (api/subscription.cpp).
#include <boost/asio/this_coro.hpp>

#include "kinesisd/api/consumer_ref.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/record_reading.hpp"
#include "kinesisd/api/subscription.hpp"
#include "kinesisd/util/async.hpp"

namespace kinesisd::api {

boost::asio::awaitable<StreamOutput> subscribe_to_shard(Services& services, const CallContext& ctx,
                                                         const rapidjson::Value& in) {
  const std::string consumer_arn = *get_string(in, "ConsumerARN");
  auto consumer = resolve_consumer(services, ctx, in);
  if (!consumer) co_return consumer.error();
  const auto stream = consumer->stream;
  const auto& s = *stream;
  const auto* c = live_consumer(s, consumer->name, ctx.now_ms);
  if (c == nullptr || c->status(ctx.now_ms) != engine::ConsumerStatus::kActive) {
    co_return make_error(ErrorCode::kResourceInUse,
                         "Consumer " + consumer->name + " with creation timestamp " +
                             std::to_string(c == nullptr ? 0 : c->created_ms / 1000) + " under stream: " + s.name +
                             " , account " + s.account + ". is not in ACTIVE status.");
  }
  const auto st = s.status(ctx.now_ms);
  if (st == engine::StreamStatus::kCreating || st == engine::StreamStatus::kDeleting) {
    co_return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message(s.name));
  }
  const std::string shard_id = *get_string(in, "ShardId");
  const engine::ShardMeta* shard_meta = find_shard(s, shard_id);
  if (shard_meta == nullptr) co_return make_error(ErrorCode::kResourceNotFound, shard_missing_message(shard_id, s));
  auto shard = services.data->shard(s, shard_meta->index);
  if (!shard) co_return make_error(ErrorCode::kInternal, "the shards of stream " + s.name + " are not open");

  const rapidjson::Value& start = *get_object(in, "StartingPosition");
  const std::string type = *get_string(start, "Type");
  const auto sequence = get_string(start, "SequenceNumber");
  const auto timestamp = get_int(start, "Timestamp");
  const auto& log = shard->log();
  uint64_t position = 0;
  if (type == "TRIM_HORIZON" || type == "LATEST") {
    position = type == "LATEST" ? log.end_position() : log.start_position();
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    if (!sequence) {
      co_return make_error(ErrorCode::kInvalidArgument,
                           "StartingPosition.SequenceNumber must be specified for type " + type + ".");
    }
    auto p = position_of_sequence(*sequence, type == "AFTER_SEQUENCE_NUMBER", *shard_meta, s, log.end_position(),
                                  "SubscribeToShard");
    if (!p) co_return p.error();
    position = p.value();
  } else {  // AT_TIMESTAMP
    if (!timestamp) {
      co_return make_error(ErrorCode::kInvalidArgument,
                           "StartingPosition.Timestamp must be specified for type AT_TIMESTAMP.");
    }
    const int64_t ts = *timestamp;
    auto p = co_await run_on<Result<uint64_t>>(services.reads, [&log, ts] { return log.position_at(ts); });
    if (!p) co_return p.error();
    position = p.value();
  }
  const std::string key = consumer_arn + "|" + shard_id;
  const std::string in_use = in_use_message(s.account, s.name, shard_meta->index, consumer->name);
  if (get_bool(in, "DryRun").value_or(false)) {
    if (auto free = services.subscriptions->check(key, ctx.now_ms, in_use); !free) co_return free.error();
    co_return dry_run_error();
  }

  SubscriptionParams params{ctx.region, s.name,        s.created_ms, consumer->name, c->arn(s.arn()),
                            shard_meta->index, position, ctx.now_ms};
  auto executor = co_await boost::asio::this_coro::executor;
  auto subscription = std::make_shared<Subscription>(services, ctx.protocol, executor, std::move(params));
  if (auto claimed = services.subscriptions->claim(key, subscription, ctx.now_ms, in_use);
      !claimed) {
    co_return claimed.error();
  }
  co_return std::shared_ptr<ResponseStream>(subscription);
}

}  // namespace kinesisd::api
