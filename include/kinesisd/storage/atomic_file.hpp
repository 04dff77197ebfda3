// Whole-file replacement that a crash cannot tear: write a temporary file, fsync it, rename it over the
// target, fsync the directory. After a crash the file holds either the old or the new content.
#pragma once

#include <string>

#include "kinesisd/storage/env.hpp"
#include "kinesisd/util/status.hpp"

namespace kinesisd::storage {

// REQUIRES: the parent directory of `path` exists. Blocking: call it off the I/O threads. `mode_bits` are the
// permissions of a new file: 0600 by default, since the data dir holds records and keys.
Status write_file_atomically(const std::string& path, const std::string& content, unsigned mode_bits = 0600,
                             Env* env = Env::posix());

// Reads a whole file. ResourceNotFound when it does not exist, kIo on other errors.
Result<std::string> read_file(const std::string& path, Env* env = Env::posix());

// mkdir -p with mode 0700, each directory it creates fsynced into its parent, top down, so that a file
// written and synced inside it later cannot vanish with an unsynced directory entry after a power loss.
Status make_directories(const std::string& path, Env* env = Env::posix());

}  // namespace kinesisd::storage
