#include "kinesisd/api/dispatch.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "kinesisd/api/handlers.hpp"

namespace kinesisd::api {
namespace {

// Sorted by operation name, checked at compile time, searched by binary search.
constexpr std::array<std::pair<std::string_view, Handler>, 44> kTable{{
    {"AddTagsToStream", &add_tags_to_stream},
    {"CreateChannel", &create_channel},
    {"CreateStream", &create_stream},
    {"DecreaseStreamRetentionPeriod", &decrease_stream_retention_period},
    {"DeleteChannel", &delete_channel},
    {"DeleteResourcePolicy", &delete_resource_policy},
    {"DeleteStream", &delete_stream},
    {"DeregisterStreamConsumer", &deregister_stream_consumer},
    {"DescribeAccountSettings", &describe_account_settings},
    {"DescribeChannel", &describe_channel},
    {"DescribeLimits", &describe_limits},
    {"DescribeStream", &describe_stream},
    {"DescribeStreamConsumer", &describe_stream_consumer},
    {"DescribeStreamSummary", &describe_stream_summary},
    {"DisableEnhancedMonitoring", &disable_enhanced_monitoring},
    {"EnableEnhancedMonitoring", &enable_enhanced_monitoring},
    {"GetRecords", &get_records},
    {"GetResourcePolicy", &get_resource_policy},
    {"GetShardIterator", &get_shard_iterator},
    {"IncreaseStreamRetentionPeriod", &increase_stream_retention_period},
    {"ListChannels", &list_channels},
    {"ListShards", &list_shards},
    {"ListStreamConsumers", &list_stream_consumers},
    {"ListStreams", &list_streams},
    {"ListTagsForResource", &list_tags_for_resource},
    {"ListTagsForStream", &list_tags_for_stream},
    {"MergeShards", &merge_shards},
    {"PutRecord", &put_record},
    {"PutRecords", &put_records},
    {"PutResourcePolicy", &put_resource_policy},
    {"RegisterStreamConsumer", &register_stream_consumer},
    {"RemoveTagsFromStream", &remove_tags_from_stream},
    {"SplitShard", &split_shard},
    {"StartStreamEncryption", &start_stream_encryption},
    {"StopStreamEncryption", &stop_stream_encryption},
    {"TagResource", &tag_resource},
    {"UntagResource", &untag_resource},
    {"UpdateAccountSettings", &update_account_settings},
    {"UpdateChannel", &update_channel},
    {"UpdateMaxRecordSize", &update_max_record_size},
    {"UpdateShardCount", &update_shard_count},
    {"UpdateStreamMode", &update_stream_mode},
    {"UpdateStreamRecordDistributionStrategy", &update_stream_record_distribution_strategy},
    {"UpdateStreamWarmThroughput", &update_stream_warm_throughput},
}};

static_assert(std::is_sorted(kTable.begin(), kTable.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));

}  // namespace

Handler find_handler(std::string_view operation) {
  auto it = std::lower_bound(kTable.begin(), kTable.end(), operation,
                             [](const auto& entry, std::string_view name) { return entry.first < name; });
  return (it != kTable.end() && it->first == operation) ? it->second : nullptr;
}

}  // namespace kinesisd::api

namespace kinesisd::api {

StreamHandler find_stream_handler(std::string_view operation) {
  return operation == "SubscribeToShard" ? &subscribe_to_shard : nullptr;
}

}  // namespace kinesisd::api
