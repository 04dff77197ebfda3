// ResourceARN resolution (TagResource, UntagResource, ListTagsForResource, Put/Get/DeleteResourcePolicy) and the
// status rules for changing the tags or policy of a stream or of a consumer.
#include "kinesisd/api/resources.hpp"

namespace kinesisd::api {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string consumer_missing(const std::string& name, const std::string& created, const engine::StreamMeta& s) {
  return "Consumer " + name + " with creation timestamp " + created + " under stream " + s.name + " and account " +
         s.account + " not found.";
}

}  // namespace

Result<ResourceRef> resolve_resource_arn(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
  const std::string arn = get_string(in, "ResourceARN").value_or("");
  auto invalid = [&] { return make_error(ErrorCode::kInvalidArgument, "Invalid ResourceARN: " + arn); };
  // arn:<partition>:kinesis:<region>:<account>:<resource>
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return invalid();
    start = colon + 1;
  }
  const std::string prefix = arn.substr(0, start);
  const std::string resource = arn.substr(start);
  if (resource.rfind("stream/", 0) != 0) return invalid();
  std::string stream_part = resource.substr(7);
  std::string consumer;  // "<name>:<creation timestamp>" of a consumer ARN
  if (const size_t slash = stream_part.find('/'); slash != std::string::npos) {
    constexpr std::string_view kConsumer = "/consumer/";
    if (stream_part.compare(slash, kConsumer.size(), kConsumer) != 0) return invalid();
    consumer = stream_part.substr(slash + kConsumer.size());
    stream_part.resize(slash);
    const size_t colon = consumer.rfind(':');
    if (colon == std::string::npos || colon == 0 || !all_digits(std::string_view(consumer).substr(colon + 1)) ||
        consumer.find('/') != std::string::npos) {
      return invalid();
    }
  }
  const std::string stream_arn = prefix + "stream/" + stream_part;
  if (!engine::parse_stream_arn(stream_arn)) return invalid();

  // Resolve the stream exactly as a StreamARN (account, region, StreamId checks).
  rapidjson::Document ref(rapidjson::kObjectType);
  OutBuilder b(ref, ref.GetAllocator());
  b.str("StreamARN", stream_arn);
  if (auto id = get_string(in, "StreamId")) b.str("StreamId", *id);
  auto stream = resolve_stream(services, ctx, ref);
  if (!stream) return stream.error();
  if (consumer.empty()) return ResourceRef{stream.value(), nullptr, ""};

  const size_t colon = consumer.rfind(':');
  std::string consumer_arn = (*stream)->arn() + "/consumer/" + consumer;
  const engine::ConsumerMeta* c = (*stream)->consumer_by_arn(consumer_arn, ctx.now_ms);
  if (c == nullptr) {
    return make_error(ErrorCode::kResourceNotFound,
                      consumer_missing(consumer.substr(0, colon), consumer.substr(colon + 1), **stream));
  }
  return ResourceRef{stream.value(), c, std::move(consumer_arn)};
}

Status change_resource(Services& services, const CallContext& ctx, engine::StreamMeta& m, const ResourceRef& ref,
                       const ResourceChange& change) {
  if (m.stream_id != ref.stream->stream_id) {
    return make_error(ErrorCode::kResourceNotFound, services.registry->not_found_message(m.name));
  }
  if (auto st = require_changeable(m, ctx.now_ms); !st) return st;
  if (!ref.consumer) return change(m.tags, m.resource_policy);
  const std::string name = ref.consumer->name;
  const std::string created = std::to_string(ref.consumer->created_ms / 1000);
  engine::ConsumerMeta* c = m.consumer_by_arn(ref.consumer_arn, ctx.now_ms);
  if (c == nullptr) return make_error(ErrorCode::kResourceNotFound, consumer_missing(name, created, m));
  if (const auto st = c->status(ctx.now_ms); st != engine::ConsumerStatus::kActive) {
    return make_error(ErrorCode::kResourceInUse, "Consumer " + name + " with creation timestamp " + created +
                                                     " under stream " + m.name + " and account " + m.account +
                                                     " is not in ACTIVE status.");
  }
  return change(c->tags, c->resource_policy);
}

Status require_changeable(const engine::StreamMeta& s, int64_t now_ms) {
  const auto st = s.status(now_ms);
  if (st == engine::StreamStatus::kActive || st == engine::StreamStatus::kUpdating) return Status::Ok();
  return make_error(ErrorCode::kResourceInUse, "Stream " + s.name + " under account " + s.account +
                                                   " not ACTIVE, instead in state " + engine::to_string(st));
}

}  // namespace kinesisd::api
