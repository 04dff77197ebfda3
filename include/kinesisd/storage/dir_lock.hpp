// One server per data dir: an exclusive flock(2) on DATA_DIR/LOCK, held for the life of the process (the
// kernel releases it when the process dies, kill -9 included, so a stale file never blocks a restart).
#pragma once

#include <string>

#include "kinesisd/util/status.hpp"

namespace kinesisd::storage {

class DirLock {
 public:
  // Takes the lock, writing this process's id into the file. kResourceInUse when another process holds it
  // (the message names the holder's pid when the file says it), kIo when the file cannot be opened.
  static Result<DirLock> acquire(const std::string& dir);
  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Files under the data dir that hold secrets must not be readable by others: a line for each that is.
std::string permission_warning(const std::string& path);

}  // namespace kinesisd::storage
