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

}  // namespace kinesisd::api
