// Small POSIX file helpers shared by the storage layer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kinesisd::storage {

// Reads exactly `n` bytes at `offset`, retrying short reads and EINTR. False on error or end of file.
bool pread_all(int fd, char* buf, size_t n, uint64_t offset);

}  // namespace kinesisd::storage
