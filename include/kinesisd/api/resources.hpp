// Shared by the tag (tags.cpp) and resource-policy (policies.cpp) handlers, and by CreateStream's Tags:
// resolving a ResourceARN, AWS's tag rules, and the rule that a stream's tags and policy change only while
// it is ACTIVE or UPDATING.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kinesisd/api/handler_support.hpp"

namespace kinesisd::api {

// Tags a stream may carry (AWS: "The maximum number of tags per resource (stream) is 50").
inline constexpr size_t kMaxTagsPerStream = 50;

// A resource with tags and a policy: a stream, or a consumer registered with it.
struct ResourceRef {
  StreamRef stream;
  const engine::ConsumerMeta* consumer = nullptr;  // in `stream`'s snapshot; null for the stream itself
  std::string consumer_arn;                        // canonical; empty for the stream itself

  // "stream <name>" or "consumer <name>", as messages name the resource.
  std::string subject() const { return consumer ? "consumer " + consumer->name : "stream " + stream->name; }
};

// The resource a ResourceARN (and optional StreamId) names. A stream ARN resolves like StreamARN does; a consumer
// ARN (`stream/<name>/consumer/<consumer>:<timestamp>`) names a registered consumer that is not gone
// (ResourceNotFound otherwise); anything else is InvalidArgument.
Result<ResourceRef> resolve_resource_arn(Services& services, const CallContext& ctx, const rapidjson::Value& in);

// Runs `change` on the tags and policy of the resource `ref` names inside the stream being updated (`m`):
// ResourceNotFound when the stream was replaced or the consumer is gone, ResourceInUse unless the stream (or the
// consumer) is in a state that allows changes (ACTIVE or UPDATING; a consumer ACTIVE).
using ResourceChange = std::function<Status(std::map<std::string, std::string>& tags, std::string& policy)>;
Status change_resource(Services& services, const CallContext& ctx, engine::StreamMeta& m, const ResourceRef& ref,
                       const ResourceChange& change);
// The tags and policy of the resource as resolved (a read).
inline const std::map<std::string, std::string>& resource_tags(const ResourceRef& ref) {
  return ref.consumer ? ref.consumer->tags : ref.stream->tags;
}
inline const std::string& resource_policy(const ResourceRef& ref) {
  return ref.consumer ? ref.consumer->resource_policy : ref.stream->resource_policy;
}

// AWS's character rules for tags being added (keys and values) and the reserved `aws:` key prefix; messages name
// the resource (`subject`: "stream <name>", "consumer <name>") and account as AWS does.
Status check_tags_to_add(const std::string& subject, const std::string& account,
                         const std::map<std::string, std::string>& tags);
// The same for tag keys being removed.
Status check_tag_keys_to_remove(const std::string& subject, const std::string& account,
                                const std::vector<std::string>& keys);
// InvalidArgument when `tags` (a resource's tags after a change) exceeds kMaxTagsPerStream.
Status check_tag_count(const std::string& subject, const std::string& account,
                       const std::map<std::string, std::string>& tags);

// ResourceInUse unless the stream is ACTIVE or UPDATING (AWS: tags cannot be updated until the stream is ACTIVE).
Status require_changeable(const engine::StreamMeta& s, int64_t now_ms);

// A Tags map member of the (validated) input, as a sorted map; a duplicated key keeps its last value.
std::map<std::string, std::string> read_tag_map(const rapidjson::Value* tags);

}  // namespace kinesisd::api
