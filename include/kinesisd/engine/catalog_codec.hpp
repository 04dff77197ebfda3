// The on-disk form of the stream catalog: one JSON document (see docs/architecture.md, "Catalog").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kinesisd/engine/channel_meta.hpp"
#include "kinesisd/engine/stream_meta.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

std::string encode_catalog(const std::vector<const StreamMeta*>& streams,
                           const std::map<std::string, AccountSettings>& accounts = {},
                           const std::vector<const ChannelMeta*>& channels = {});
// InvalidArgument naming the problem when `json` is not a catalog this version understands. Account settings
// by region go to `accounts` when given, channels to `channels` (a catalog written before channels existed has
// none: the member is optional).
Result<std::vector<StreamMeta>> decode_catalog(const std::string& json,
                                               std::map<std::string, AccountSettings>* accounts = nullptr,
                                               std::vector<ChannelMeta>* channels = nullptr);

}  // namespace kinesisd::engine
