// Whole-file replacement that a crash cannot tear: write a temporary file, fsync it, rename it over the
// target, fsync the directory. After a crash the file holds either the old or the new content.
#pragma once

#include <string>

#include "kinesisd/util/status.hpp"

namespace kinesisd::storage {

// REQUIRES: the parent directory of `path` exists. Blocking: call it off the I/O threads.
Status write_file_atomically(const std::string& path, const std::string& content);

// Reads a whole file. ResourceNotFound when it does not exist, Internal on other errors.
Result<std::string> read_file(const std::string& path);

// mkdir -p, each directory it creates fsynced into its parent. Internal with the errno text on failure.
Status make_directories(const std::string& path);

}  // namespace kinesisd::storage
