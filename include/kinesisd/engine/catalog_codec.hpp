// The on-disk form of the stream catalog: one JSON document (see docs/architecture.md, "Catalog").
#pragma once

#include <string>
#include <vector>

#include "kinesisd/engine/stream_meta.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

std::string encode_catalog(const std::vector<const StreamMeta*>& streams);
// InvalidArgument naming the problem when `json` is not a catalog this version understands.
Result<std::vector<StreamMeta>> decode_catalog(const std::string& json);

}  // namespace kinesisd::engine
