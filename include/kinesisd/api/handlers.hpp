// Handlers, one family per file: streams.cpp (stream lifecycle and listing), shards.cpp (shard listing),
// records.cpp (writes), reads.cpp (iterators and reads).
#pragma once

#include "kinesisd/api/context.hpp"

namespace kinesisd::api {

#define KINESISD_HANDLER(name) \
  boost::asio::awaitable<Output> name(Services& services, const CallContext& ctx, const rapidjson::Value& in)

KINESISD_HANDLER(create_stream);
KINESISD_HANDLER(delete_stream);
KINESISD_HANDLER(describe_stream);
KINESISD_HANDLER(describe_stream_summary);
KINESISD_HANDLER(list_streams);
KINESISD_HANDLER(list_shards);
KINESISD_HANDLER(put_record);
KINESISD_HANDLER(put_records);
KINESISD_HANDLER(get_shard_iterator);
KINESISD_HANDLER(get_records);
KINESISD_HANDLER(split_shard);
KINESISD_HANDLER(merge_shards);
KINESISD_HANDLER(update_shard_count);
KINESISD_HANDLER(register_stream_consumer);
KINESISD_HANDLER(describe_stream_consumer);
KINESISD_HANDLER(list_stream_consumers);
KINESISD_HANDLER(deregister_stream_consumer);
KINESISD_HANDLER(update_stream_record_distribution_strategy);
// tags.cpp (tags by stream and by ResourceARN)
KINESISD_HANDLER(add_tags_to_stream);
KINESISD_HANDLER(remove_tags_from_stream);
KINESISD_HANDLER(list_tags_for_stream);
KINESISD_HANDLER(tag_resource);
KINESISD_HANDLER(untag_resource);
KINESISD_HANDLER(list_tags_for_resource);
// policies.cpp (resource policies)
KINESISD_HANDLER(put_resource_policy);
KINESISD_HANDLER(get_resource_policy);
KINESISD_HANDLER(delete_resource_policy);
// settings.cpp (stream settings)
KINESISD_HANDLER(increase_stream_retention_period);
KINESISD_HANDLER(decrease_stream_retention_period);
KINESISD_HANDLER(enable_enhanced_monitoring);
KINESISD_HANDLER(disable_enhanced_monitoring);
KINESISD_HANDLER(update_stream_mode);
KINESISD_HANDLER(update_max_record_size);
KINESISD_HANDLER(update_stream_warm_throughput);
// encryption.cpp (encryption at rest)
KINESISD_HANDLER(start_stream_encryption);
KINESISD_HANDLER(stop_stream_encryption);
// account.cpp (account limits and settings)
KINESISD_HANDLER(describe_limits);
KINESISD_HANDLER(describe_account_settings);
KINESISD_HANDLER(update_account_settings);
// channels.cpp (channels: delivery to a local directory standing in for S3)
KINESISD_HANDLER(create_channel);
KINESISD_HANDLER(describe_channel);
KINESISD_HANDLER(update_channel);
KINESISD_HANDLER(delete_channel);
KINESISD_HANDLER(list_channels);

// subscribe.cpp: SubscribeToShard answers an event stream.
boost::asio::awaitable<StreamOutput> subscribe_to_shard(Services& services, const CallContext& ctx,
                                                         const rapidjson::Value& in);

}  // namespace kinesisd::api
