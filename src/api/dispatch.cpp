#include "kinesisd/api/dispatch.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "kinesisd/api/handlers.hpp"

namespace kinesisd::api {
namespace {

// Sorted by operation name, checked at compile time, searched by binary search.
constexpr std::array<std::pair<std::string_view, Handler>, 10> kTable{{
    {"CreateStream", &create_stream},
    {"DeleteStream", &delete_stream},
    {"DescribeStream", &describe_stream},
    {"DescribeStreamSummary", &describe_stream_summary},
    {"GetRecords", &get_records},
    {"GetShardIterator", &get_shard_iterator},
    {"ListShards", &list_shards},
    {"ListStreams", &list_streams},
    {"PutRecord", &put_record},
    {"PutRecords", &put_records},
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
