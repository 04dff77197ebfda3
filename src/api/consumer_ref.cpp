#include "kinesisd/api/consumer_ref.hpp"

namespace kinesisd::api {

std::string consumer_not_found(const std::string& consumer, const engine::StreamMeta& s) {
  return "Consumer " + consumer + " under stream " + s.name + " under account " + s.account + " not found.";
}

const engine::ConsumerMeta* live_consumer(const engine::StreamMeta& s, const std::string& name, int64_t now) {
  for (const auto& c : s.consumers)
    if (c.name == name && c.status(now) != engine::ConsumerStatus::kGone) return &c;
  return nullptr;
}

Result<ConsumerRef> resolve_consumer(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
  if (auto arn = get_string(in, "ConsumerARN")) {
    const auto at = arn->find("/consumer/");
    const auto colon = arn->rfind(':');
    if (at == std::string::npos || colon == std::string::npos || colon < at) {
      return make_error(ErrorCode::kInvalidArgument, "Invalid ConsumerARN: " + *arn);
    }
    rapidjson::Document stream_ref(rapidjson::kObjectType);
    OutBuilder(stream_ref, stream_ref.GetAllocator()).str("StreamARN", arn->substr(0, at));
    auto stream = resolve_stream(services, ctx, stream_ref);
    if (!stream) return stream.error();
    const std::string name = arn->substr(at + 10, colon - at - 10);
    if ((*stream)->consumer_by_arn(*arn, ctx.now_ms) == nullptr) {
      return make_error(ErrorCode::kResourceNotFound, consumer_not_found(name, **stream));
    }
    return ConsumerRef{stream.value(), name};
  }
  auto name = get_string(in, "ConsumerName");
  if (!name || !in.HasMember("StreamARN")) {
    return make_error(ErrorCode::kInvalidArgument, "Either ConsumerARN or both ConsumerName and StreamARN must be provided.");
  }
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) return stream.error();
  if (live_consumer(**stream, *name, ctx.now_ms) == nullptr) {
    return make_error(ErrorCode::kResourceNotFound, consumer_not_found(*name, **stream));
  }
  return ConsumerRef{stream.value(), *name};
}

}  // namespace kinesisd::api
