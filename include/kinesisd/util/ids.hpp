// Random identifiers: request ids, x-amz-id-2 values, stream ids. Thread-safe.
#pragma once

#include <string>

namespace kinesisd {

std::string random_uuid();            // 8-4-4-4-12 lowercase hex, version 4
std::string random_base64(size_t n);  // n random bytes, base64
std::string random_lower_alnum(size_t n);
std::string random_bytes(size_t n);

}  // namespace kinesisd
