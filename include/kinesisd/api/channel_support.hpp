// What the channel handlers (channels.cpp) share: the channel a ChannelARN names, the channel a CreateChannel
// request describes (with AWS's defaults and the checks the model cannot express), and the ChannelDescription
// and ChannelSummary output shapes.
#pragma once

#include <rapidjson/document.h>

#include <memory>

#include "kinesisd/api/context.hpp"
#include "kinesisd/engine/channel_meta.hpp"

namespace kinesisd::api {

using ChannelRef = std::shared_ptr<const engine::ChannelMeta>;

// The channel ChannelARN names: InvalidArgument when it is not a channel ARN, ResourceNotFound when it is of
// another account or region, or names no channel that is not gone.
Result<ChannelRef> resolve_channel(Services& services, const CallContext& ctx, const rapidjson::Value& in);

// The channel a (validated) CreateChannel input asks for, id chosen and AWS's defaults filled in: one source
// stream, an S3 destination (S3 Tables are refused: this server has none), DataFreshnessInSeconds 300-900,
// GSR_JSON refused for S3, key template and bucket names usable as local paths, a customer managed KMS key
// id, AWS's tag rules. The source stream's existence and state are checked by the registry.
Result<engine::ChannelMeta> channel_from_request(Services& services, const CallContext& ctx,
                                                 const rapidjson::Value& in);

// DataFreshnessInSeconds within AWS's 300-900 seconds (InvalidArgument otherwise).
Status check_data_freshness(int64_t seconds);
// The CloudWatchLogs member of a LoggingConfiguration (create or update) applied to `c`: Enabled, and the
// names given; an enabled channel without names gets AWS's defaults.
void apply_logging(const rapidjson::Value& cloudwatch, engine::ChannelMeta& c);

// ChannelDescription and ChannelSummary.
void write_channel_description(const engine::ChannelMeta& c, int64_t now_ms, rapidjson::Value& out,
                               rapidjson::Document::AllocatorType& alloc);
void write_channel_summary(const engine::ChannelMeta& c, int64_t now_ms, rapidjson::Value& out,
                           rapidjson::Document::AllocatorType& alloc);

}  // namespace kinesisd::api
