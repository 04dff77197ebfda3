// Shared by the tag (tags.cpp) and resource-policy (policies.cpp) handlers, and by CreateStream's Tags:
// resolving a ResourceARN, AWS's tag rules, and the rule that a stream's tags and policy change only while
// it is ACTIVE or UPDATING.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kinesisd/api/handler_support.hpp"

namespace kinesisd::api {

// Tags a stream may carry (AWS: "The maximum number of tags per resource (stream) is 50").
inline constexpr size_t kMaxTagsPerStream = 50;

// The stream a ResourceARN (and optional StreamId) names. A stream ARN resolves like StreamARN does; a consumer
// ARN (`stream/<name>/consumer/<consumer>:<timestamp>`) answers ResourceNotFound, since this version registers no
// consumers; anything else is InvalidArgument.
Result<StreamRef> resolve_resource_arn(Services& services, const CallContext& ctx, const rapidjson::Value& in);

// AWS's character rules for tags being added (keys and values) and the reserved `aws:` key prefix; messages name
// the stream and account as AWS does.
Status check_tags_to_add(const std::string& stream, const std::string& account,
                         const std::map<std::string, std::string>& tags);
// The same for tag keys being removed.
Status check_tag_keys_to_remove(const std::string& stream, const std::string& account,
                                const std::vector<std::string>& keys);
// InvalidArgument when `tags` (a stream's tags after a change) exceeds kMaxTagsPerStream.
Status check_tag_count(const std::string& stream, const std::string& account,
                       const std::map<std::string, std::string>& tags);

// ResourceInUse unless the stream is ACTIVE or UPDATING (AWS: tags cannot be updated until the stream is ACTIVE).
Status require_changeable(const engine::StreamMeta& s, int64_t now_ms);

// A Tags map member of the (validated) input, as a sorted map; a duplicated key keeps its last value.
std::map<std::string, std::string> read_tag_map(const rapidjson::Value* tags);

}  // namespace kinesisd::api
