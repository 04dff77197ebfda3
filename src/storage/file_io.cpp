#include "kinesisd/storage/file_io.hpp"

#include <unistd.h>

#include <cerrno>

namespace kinesisd::storage {

bool pread_all(int fd, char* buf, size_t n, uint64_t offset) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    buf += got;
    n -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

}  // namespace kinesisd::storage
