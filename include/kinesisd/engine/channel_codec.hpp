// The channels' part of the catalog document (engine/catalog_codec.cpp writes it as "channels"). A member
// that later versions add must be optional when read, so older catalogs keep loading.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include "kinesisd/engine/channel_meta.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

// Writes the channels as a JSON array.
void encode_channels(rapidjson::Writer<rapidjson::StringBuffer>& w,
                     const std::vector<const ChannelMeta*>& channels);
// Reads the array encode_channels wrote; InvalidArgument naming the problem otherwise.
Result<std::vector<ChannelMeta>> decode_channels(const rapidjson::Value& array);

}  // namespace kinesisd::engine
