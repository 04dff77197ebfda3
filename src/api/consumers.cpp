// RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer: the consumer
// registry of enhanced fan-out (SubscribeToShard is in subscribe.cpp). Consumers live in the stream's
// catalog entry, go CREATING -> ACTIVE and DELETING -> gone after the configured delays, and persist.
#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/consumer_ref.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/resources.hpp"

namespace kinesisd::api {
namespace {

constexpr size_t kMaxConsumersPerStream = 20;
constexpr size_t kMaxCreatingConsumers = 5;
constexpr int64_t kListDefault = 100;
constexpr int64_t kNextTokenTtlMs = 300'000;

void write_consumer(const engine::ConsumerMeta& c, const engine::StreamMeta& s, int64_t now, OutBuilder& b,
                    bool with_stream) {
  b.str("ConsumerName", c.name)
      .str("ConsumerARN", c.arn(s.arn()))
      .str("ConsumerStatus", engine::to_string(c.status(now)))
      .timestamp_ms("ConsumerCreationTimestamp", c.created_ms);
  if (with_stream) b.str("StreamARN", s.arn());
}

}  // namespace

KINESISD_HANDLER(register_stream_consumer) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const std::string name = *get_string(in, "ConsumerName");
  const auto& limits = services.registry->limits();
  const auto tags = read_tag_map(get_object(in, "Tags"));
  if (auto t = check_tags_to_add("consumer " + name, (*stream)->account, tags); !t) co_return t.error();
  if (auto t = check_tag_count("consumer " + name, (*stream)->account, tags); !t) co_return t.error();
  engine::ConsumerMeta created;
  Status s = services.registry->update_stream(ctx.region, (*stream)->name, ctx.now_ms, [&](engine::StreamMeta& m) -> Status {
    const auto st = m.status(ctx.now_ms);
    if (st != engine::StreamStatus::kActive && st != engine::StreamStatus::kUpdating) {
      return make_error(ErrorCode::kResourceInUse, "Stream " + m.name + " under account " + m.account +
                                                       " not ACTIVE, instead in state " + engine::to_string(st));
    }
    if (live_consumer(m, name, ctx.now_ms) != nullptr) {
      return make_error(ErrorCode::kResourceInUse, "Consumer " + name + " under stream " + m.name + " under account " +
                                                       m.account + " already exists.");
    }
    size_t creating = 0;
    for (const auto& c : m.consumers) creating += c.status(ctx.now_ms) == engine::ConsumerStatus::kCreating ? 1 : 0;
    if (m.live_consumer_count(ctx.now_ms) >= kMaxConsumersPerStream) {
      return make_error(ErrorCode::kLimitExceeded, "Stream " + m.name + " under account " + m.account +
                                                       " already has the maximum of 20 registered consumers.");
    }
    if (creating >= kMaxCreatingConsumers) {
      return make_error(ErrorCode::kLimitExceeded, "Stream " + m.name + " under account " + m.account +
                                                       " already has 5 consumers in the CREATING state.");
    }
    std::erase_if(m.consumers, [&](const engine::ConsumerMeta& c) { return c.status(ctx.now_ms) == engine::ConsumerStatus::kGone; });
    created.name = name;
    created.created_ms = ctx.now_ms;
    created.ready_at_ms = ctx.now_ms + limits.create_delay_ms;
    created.tags = tags;
    m.consumers.push_back(created);
    return Status::Ok();
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out.AddMember("Consumer", rapidjson::Value(rapidjson::kObjectType), out.GetAllocator())["Consumer"],
               out.GetAllocator());
  write_consumer(created, **stream, ctx.now_ms, b, false);
  co_return out;
}

KINESISD_HANDLER(describe_stream_consumer) {
  auto ref = resolve_consumer(services, ctx, in);
  if (!ref) co_return ref.error();
  const auto& s = *ref->stream;
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out.AddMember("ConsumerDescription", rapidjson::Value(rapidjson::kObjectType), out.GetAllocator())
                   ["ConsumerDescription"],
               out.GetAllocator());
  write_consumer(*live_consumer(s, ref->name, ctx.now_ms), s, ctx.now_ms, b, true);
  co_return out;
}

KINESISD_HANDLER(list_stream_consumers) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const auto& s = **stream;
  if (auto created = get_int(in, "StreamCreationTimestamp"); created && *created != s.created_ms) {
    co_return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message(s.name));
  }
  const int64_t limit = get_int(in, "MaxResults").value_or(kListDefault);
  std::string after;
  if (auto token = get_string(in, "NextToken")) {
    auto fields = read_next_token(*token, ctx.now_ms, kNextTokenTtlMs);
    if (!fields) co_return fields.error();
    const auto& f = fields.value();
    if (!f.HasMember("after") || !f["after"].IsString() || !f.HasMember("s") || !f["s"].IsString() ||
        s.arn() != f["s"].GetString()) {
      co_return make_error(ErrorCode::kInvalidArgument, "Invalid NextToken.");
    }
    after = f["after"].GetString();
  }
  std::vector<const engine::ConsumerMeta*> live;
  for (const auto& c : s.consumers)
    if (c.status(ctx.now_ms) != engine::ConsumerStatus::kGone && c.name > after) live.push_back(&c);
  std::sort(live.begin(), live.end(), [](auto* a, auto* b) { return a->name < b->name; });
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  auto& list = b.array("Consumers");
  for (size_t i = 0; i < live.size() && static_cast<int64_t>(i) < limit; ++i) {
    rapidjson::Value v(rapidjson::kObjectType);
    OutBuilder cb(v, alloc);
    write_consumer(*live[i], s, ctx.now_ms, cb, false);
    list.PushBack(v, alloc);
  }
  if (static_cast<int64_t>(live.size()) > limit) {
    rapidjson::Document t(rapidjson::kObjectType);
    OutBuilder(t, t.GetAllocator()).str("s", s.arn()).str("after", live[static_cast<size_t>(limit) - 1]->name).num("t", ctx.now_ms);
    b.str("NextToken", make_next_token(t));
  }
  co_return out;
}

KINESISD_HANDLER(deregister_stream_consumer) {
  auto ref = resolve_consumer(services, ctx, in);
  if (!ref) co_return ref.error();
  const int64_t delay = services.registry->limits().delete_delay_ms;
  Status s = services.registry->update_stream(ctx.region, ref->stream->name, ctx.now_ms, [&](engine::StreamMeta& m) -> Status {
    for (auto& c : m.consumers) {
      if (c.name == ref->name && c.status(ctx.now_ms) != engine::ConsumerStatus::kGone) {
        if (c.delete_at_ms == 0) c.delete_at_ms = ctx.now_ms + delay;
        return Status::Ok();
      }
    }
    return make_error(ErrorCode::kResourceNotFound, consumer_not_found(ref->name, m));
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  co_return out;
}

}  // namespace kinesisd::api
