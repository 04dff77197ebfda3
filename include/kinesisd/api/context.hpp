// What a handler gets: the services it may use and the facts of the call.
#pragma once

#include <rapidjson/document.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <string>

#include "kinesisd/api/message.hpp"
#include "kinesisd/engine/data_plane.hpp"
#include "kinesisd/engine/shard_iterator.hpp"
#include "kinesisd/engine/stream_registry.hpp"
#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {
class RateLimiter;
}
namespace kinesisd::auth {
class SecretStore;
}

namespace kinesisd::api {

class CatalogWriter;
class SubscriptionHub;

// The request's wire protocol; answers (and event payloads) use the same.
enum class Protocol { kJson, kCbor };

struct Services {
  engine::StreamRegistry* registry = nullptr;
  CatalogWriter* catalog = nullptr;
  engine::DataPlane* data = nullptr;
  const engine::IteratorCodec* iterators = nullptr;
  boost::asio::any_io_executor storage;  // blocking writes and log opening
  boost::asio::any_io_executor reads;    // blocking log reads
  engine::RateLimiter* limiter = nullptr;  // control-plane API rates (api/rate_limits.cpp); none when null
  SubscriptionHub* subscriptions = nullptr;  // live SubscribeToShard calls
  const auth::SecretStore* secrets = nullptr;  // set: SigV4 signatures are verified against these keys
  bool throughput_limits = true;             // --throughput-limits (subscriptions' 2 MiB/s)
  int64_t subscription_lifetime_ms = 300'000;
};

struct CallContext {
  const protocol::Operation* operation = nullptr;
  std::string region;
  int64_t now_ms = 0;
  Protocol protocol = Protocol::kJson;
  // The request's arena (ApiRequest::arena), for output documents: `rapidjson::Document out(kObjectType,
  // ctx.arena)`. Null is fine: the document then owns its pool.
  rapidjson::MemoryPoolAllocator<>* arena = nullptr;
};

// A handler's answer: the output document (normalised form: blobs raw, timestamps in ms), or an error.
// An operation without an output shape answers an empty object.
using Output = Result<rapidjson::Document>;
using Handler = boost::asio::awaitable<Output> (*)(Services&, const CallContext&, const rapidjson::Value& input);

// Operations whose answer is an event stream (SubscribeToShard): the stream, or an error answered as usual.
using StreamOutput = Result<std::shared_ptr<ResponseStream>>;
using StreamHandler = boost::asio::awaitable<StreamOutput> (*)(Services&, const CallContext&,
                                                               const rapidjson::Value& input);

}  // namespace kinesisd::api
