#include "kinesisd/storage/atomic_file.hpp"

#include <filesystem>
#include <vector>

namespace kinesisd::storage {

Status write_file_atomically(const std::string& path, const std::string& content, unsigned mode_bits,
                             Env* env) {
  const std::string tmp = path + ".tmp";
  {
    auto file = env->open(tmp, OpenMode::kCreate, mode_bits);
    if (!file) return file.error();
    if (auto s = (*file)->write_at(0, content); !s) return s;
    if (auto s = (*file)->sync(); !s) return s;
  }
  if (auto s = env->rename(tmp, path); !s) return s;
  return env->sync_dir(std::filesystem::path(path).parent_path().string());
}

Result<std::string> read_file(const std::string& path, Env* env) {
  auto file = env->open(path, OpenMode::kRead);
  if (!file) return file.error();
  auto size = (*file)->size();
  if (!size) return size.error();
  std::string content(static_cast<size_t>(size.value()), '\0');
  if (auto s = (*file)->read_at(0, content.data(), content.size()); !s) return s.error();
  return content;
}

Status make_directories(const std::string& path, Env* env) {
  std::vector<std::filesystem::path> missing;
  for (std::filesystem::path p = std::filesystem::path(path); !p.empty() && !env->exists(p.string());
       p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (auto s = env->make_dir(it->string()); !s) return s;
    if (auto s = env->sync_dir(it->parent_path().string()); !s) return s;
  }
  return Status::Ok();
}

}  // namespace kinesisd::storage
