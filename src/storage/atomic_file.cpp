#include "kinesisd/storage/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace kinesisd::storage {
namespace {

Error os_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kInternal, what + " " + path + ": " + std::strerror(errno));
}

Status sync_directory(const std::string& dir) {
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return os_error("cannot open directory", dir);
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return os_error("cannot fsync directory", dir);
  return Status::Ok();
}

}  // namespace

Status write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = os_error("cannot write", tmp);
      ::close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = os_error("cannot fsync", tmp);
    ::close(fd);
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error("cannot rename", tmp);
  return sync_directory(std::filesystem::path(path).parent_path().string());
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::kInternal, "cannot read " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return make_error(ErrorCode::kResourceNotFound, path + " does not exist");
    return os_error("cannot read", path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return os_error("cannot read", path);
  return ss.str();
}

Status make_directories(const std::string& path) {
  // Each directory created here is made durable in its parent (fsync of the parent), top down, so a file written
  // and synced inside it later cannot vanish with an unsynced directory entry after a power loss.
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (std::filesystem::path p = std::filesystem::path(path); !p.empty() && !std::filesystem::exists(p, ec);
       p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  std::filesystem::create_directories(path, ec);
  if (ec) return make_error(ErrorCode::kInternal, "cannot create directory " + path + ": " + ec.message());
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (auto s = sync_directory(it->parent_path().string()); !s) return s;
  }
  return Status::Ok();
}

}  // namespace kinesisd::storage
