// The consumer a call names (enhanced fan-out): by ConsumerARN, or by StreamARN and ConsumerName.
#pragma once

#include <string>

#include "kinesisd/api/handler_support.hpp"

namespace kinesisd::api {

// "Consumer <name> under stream <stream> under account <account> not found."
std::string consumer_not_found(const std::string& consumer, const engine::StreamMeta& s);
// The consumer of `s` named `name` that is not gone, or nullptr.
const engine::ConsumerMeta* live_consumer(const engine::StreamMeta& s, const std::string& name, int64_t now);

struct ConsumerRef {
  StreamRef stream;
  std::string name;
};

// The consumer a call names: ConsumerARN, or StreamARN and ConsumerName. InvalidArgument when neither form is
// given or the ARN is malformed; ResourceNotFound when the stream or a live consumer of that ARN is missing.
Result<ConsumerRef> resolve_consumer(Services& services, const CallContext& ctx, const rapidjson::Value& in);

}  // namespace kinesisd::api
