// ResourceARN resolution (TagResource, UntagResource, ListTagsForResource, Put/Get/DeleteResourcePolicy) and the
// status rule for changing a stream's tags or policy.
#include "kinesisd/api/resources.hpp"

namespace kinesisd::api {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Result<StreamRef> resolve_resource_arn(Services& services, const CallContext& ctx, const rapidjson::Value& in) {
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
  if (!stream || consumer.empty()) return stream;

  // A registered consumer exists, but its tags and resource policy are not kept yet: say so instead of
  // pretending it is missing or dropping the change.
  const size_t colon = consumer.rfind(':');
  for (const auto& c : (*stream)->consumers) {
    if (c.name == consumer.substr(0, colon) && c.status(ctx.now_ms) != engine::ConsumerStatus::kGone &&
        std::to_string(c.created_ms / 1000) == consumer.substr(colon + 1)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Tags and resource policies of stream consumers are not supported by this kinesisd version.");
    }
  }
  return make_error(ErrorCode::kResourceNotFound,
                    "Consumer " + consumer.substr(0, colon) + " with creation timestamp " +
                        consumer.substr(colon + 1) + " under stream " + (*stream)->name + " and account " +
                        (*stream)->account + " not found.");
}

Status require_changeable(const engine::StreamMeta& s, int64_t now_ms) {
  const auto st = s.status(now_ms);
  if (st == engine::StreamStatus::kActive || st == engine::StreamStatus::kUpdating) return Status::Ok();
  return make_error(ErrorCode::kResourceInUse, "Stream " + s.name + " under account " + s.account +
                                                   " not ACTIVE, instead in state " + engine::to_string(st));
}

}  // namespace kinesisd::api
