// Every file operation of the storage layer and the catalog goes through an Env (LevelDB's Env is the model):
// PosixEnv in production, a fault-injecting Env in tests, so that each fault path is exercised.
// Errors are ErrorCode::kIo with the path and the OS's text: detail for the log, never for a client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kinesisd/util/status.hpp"

namespace kinesisd::storage {

// An open file. Reads may run on any thread at once; writes, syncs and truncation come from one writer.
class File {
 public:
  virtual ~File() = default;
  // Exactly `n` bytes at `offset`; an error when fewer are there or the read fails.
  virtual Status read_at(uint64_t offset, char* buf, size_t n) const = 0;
  // All of `data` at `offset`. On failure a prefix of `data` may have reached the file (a torn write).
  virtual Status write_at(uint64_t offset, std::string_view data) = 0;
  // fdatasync: what was written is durable (the file's size too, as far as the writes grew it).
  virtual Status sync() = 0;
  // ftruncate followed by fsync: the new size is durable.
  virtual Status truncate(uint64_t size) = 0;
  virtual Result<uint64_t> size() const = 0;
  virtual const std::string& path() const = 0;
};

enum class OpenMode {
  kRead,       // an existing file, read only
  kReadWrite,  // an existing file
  kCreate,     // created (or emptied when it exists), read-write
};

class Env {
 public:
  virtual ~Env() = default;
  // The process-wide POSIX environment.
  static Env* posix();

  // `mode` applies to created files (umask can only narrow it).
  virtual Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode,
                                             unsigned mode_bits = 0600) = 0;
  // fsync of a directory: names created, renamed or removed in it are durable.
  virtual Status sync_dir(const std::string& dir) = 0;
  // One directory level (mode 0700); Ok when it exists.
  virtual Status make_dir(const std::string& dir) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Status remove(const std::string& path) = 0;
  // The names in a directory (not "." or ".."), in no particular order.
  virtual Result<std::vector<std::string>> children(const std::string& dir) = 0;
  virtual bool exists(const std::string& path) = 0;
};

// kIo error for `what` on `path` from errno `err`.
Error io_error(const std::string& what, const std::string& path, int err);

}  // namespace kinesisd::storage
