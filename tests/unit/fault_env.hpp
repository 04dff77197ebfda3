// A storage::Env for tests that injects disk faults and simulates a crash (LevelDB's FaultInjectionTestEnv
// and ErrorEnv are the model). It wraps the POSIX Env over a real temporary directory and keeps, for every
// file it opened, the content that is durable: what the last successful sync covered.
//
// Faults: the next N calls of an operation fail with an errno; a write can be torn (a prefix reaches the file
// before the error). A failed sync models Linux after a writeback error: the pages are marked clean without
// being durable, so a later successful sync does not make them durable unless they were written again.
// crash(): every file goes back to its durable content; files whose name was never made durable (no sync of
// the directory since they were created or renamed) disappear or revert.
#pragma once

#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kinesisd/storage/env.hpp"

namespace kinesisd::storage::testing {

class FaultEnv : public Env {
 public:
  enum class Op { kWrite, kSync, kTruncate, kCreate, kRename, kSyncDir, kRead };

  // The `count` calls of `op` after the next `skip` successful ones fail with `err`. A failing write first
  // writes `torn_bytes` of its data (capped at its size).
  void fail(Op op, int err, int count = 1, int skip = 0, size_t torn_bytes = 0) {
    std::lock_guard lock(mu_);
    rules_.push_back({op, err, count, skip, torn_bytes});
  }
  void clear_faults() {
    std::lock_guard lock(mu_);
    rules_.clear();
  }
  int calls(Op op) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }

  // REQUIRES: nothing opened through this Env is used afterwards (destroy the logs first).
  void crash() {
    std::lock_guard lock(mu_);
    for (auto& [path, st] : files_) {
      if (!st.name_durable && !st.durable_before_name) {
        (void)base_->remove(path);
        continue;
      }
      const std::string& content = st.name_durable ? st.durable : *st.durable_before_name;
      auto f = base_->open(path, OpenMode::kCreate);
      if (f) (void)(*f)->write_at(0, content);
    }
    files_.clear();
  }

  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode, unsigned mode_bits) override {
    std::optional<std::pair<int, size_t>> fault =
        take(mode == OpenMode::kCreate ? Op::kCreate : Op::kRead, false);
    if (fault) return io_error("cannot open", path, fault->first);
    auto f = base_->open(path, mode, mode_bits);
    if (!f) return f.error();
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (mode == OpenMode::kCreate) {
      State st;
      if (it != files_.end() && it->second.name_durable) st.durable_before_name = it->second.durable;
      st.name_durable = false;
      files_[path] = std::move(st);
    } else if (it == files_.end()) {
      State st;  // a file that existed before: what is there is durable
      auto size = (*f)->size();
      st.durable.resize(size ? static_cast<size_t>(size.value()) : 0);
      if (!st.durable.empty()) (void)(*f)->read_at(0, st.durable.data(), st.durable.size());
      files_[path] = std::move(st);
    }
    return std::unique_ptr<File>(new FaultFile(this, path, std::move(f.value())));
  }

  Status sync_dir(const std::string& dir) override {
    if (auto fault = take(Op::kSyncDir, false)) return io_error("cannot fsync directory", dir, fault->first);
    if (auto s = base_->sync_dir(dir); !s) return s;
    std::lock_guard lock(mu_);
    const std::string prefix = (dir.empty() ? std::string(".") : dir) + "/";
    for (auto& [path, st] : files_) {
      if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos) {
        st.name_durable = true;
        st.durable_before_name.reset();
      }
    }
    return Status::Ok();
  }
  Status make_dir(const std::string& dir) override { return base_->make_dir(dir); }
  Status rename(const std::string& from, const std::string& to) override {
    if (auto fault = take(Op::kRename, false)) return io_error("cannot rename", from, fault->first);
    if (auto s = base_->rename(from, to); !s) return s;
    std::lock_guard lock(mu_);
    State moved;
    if (auto it = files_.find(from); it != files_.end()) {
      moved = std::move(it->second);
      files_.erase(it);
    }
    auto old = files_.find(to);
    moved.durable_before_name.reset();
    if (old != files_.end() && old->second.name_durable) moved.durable_before_name = old->second.durable;
    moved.name_durable = false;
    files_[to] = std::move(moved);
    return Status::Ok();
  }
  Status remove(const std::string& path) override {
    {
      std::lock_guard lock(mu_);
      files_.erase(path);
    }
    return base_->remove(path);
  }
  Result<std::vector<std::string>> children(const std::string& dir) override { return base_->children(dir); }
  bool exists(const std::string& path) override { return base_->exists(path); }

 private:
  struct Rule {
    Op op;
    int err;
    int count;
    int skip;
    size_t torn;
  };
  struct State {
    std::string durable;                             // the content a crash leaves
    std::optional<size_t> lost_from;                 // bytes from here were marked clean by a failed sync
    bool name_durable = true;                        // the directory entry survives a crash
    std::optional<std::string> durable_before_name;  // what the path held durably before a create or rename
  };

  class FaultFile : public File {
   public:
    FaultFile(FaultEnv* env, std::string path, std::unique_ptr<File> base)
        : env_(env), path_(std::move(path)), base_(std::move(base)) {}
    Status read_at(uint64_t offset, char* buf, size_t n) const override {
      if (auto fault = env_->take(Op::kRead, false)) return io_error("cannot read", path_, fault->first);
      return base_->read_at(offset, buf, n);
    }
    Status write_at(uint64_t offset, std::string_view data) override {
      if (auto fault = env_->take(Op::kWrite, true)) {
        const size_t torn = std::min(fault->second, data.size());
        if (torn > 0) (void)base_->write_at(offset, data.substr(0, torn));
        return io_error("cannot write", path_, fault->first);
      }
      if (auto s = base_->write_at(offset, data); !s) return s;
      std::lock_guard lock(env_->mu_);
      auto& st = env_->files_[path_];
      if (st.lost_from && offset <= *st.lost_from && offset + data.size() > *st.lost_from) {
        st.lost_from.reset();  // written again: a later sync covers it
      }
      return Status::Ok();
    }
    Status sync() override {
      auto current = snapshot();
      if (auto fault = env_->take(Op::kSync, false)) {
        std::lock_guard lock(env_->mu_);
        auto& st = env_->files_[path_];
        if (!st.lost_from || *st.lost_from > st.durable.size()) st.lost_from = st.durable.size();
        return io_error("cannot fsync", path_, fault->first);
      }
      if (auto s = base_->sync(); !s) return s;
      std::lock_guard lock(env_->mu_);
      auto& st = env_->files_[path_];
      st.durable = st.lost_from ? current.substr(0, std::min(*st.lost_from, current.size())) : current;
      return Status::Ok();
    }
    Status truncate(uint64_t size) override {
      if (auto fault = env_->take(Op::kTruncate, false))
        return io_error("cannot truncate", path_, fault->first);
      if (auto s = base_->truncate(size); !s) return s;
      std::lock_guard lock(env_->mu_);
      auto& st = env_->files_[path_];
      if (st.durable.size() > size) st.durable.resize(static_cast<size_t>(size));
      if (st.lost_from && *st.lost_from >= size) st.lost_from.reset();
      return Status::Ok();
    }
    Result<uint64_t> size() const override { return base_->size(); }
    const std::string& path() const override { return path_; }

   private:
    std::string snapshot() const {
      auto size = base_->size();
      std::string content(size ? static_cast<size_t>(size.value()) : 0, '\0');
      if (!content.empty()) (void)base_->read_at(0, content.data(), content.size());
      return content;
    }
    FaultEnv* env_;
    std::string path_;
    std::unique_ptr<File> base_;
  };

  // The fault for the next call of `op`, if a rule applies (counted either way).
  std::optional<std::pair<int, size_t>> take(Op op, bool) {
    std::lock_guard lock(mu_);
    ++calls_[op];
    for (auto& r : rules_) {
      if (r.op != op || r.count == 0) continue;
      if (r.skip > 0) {
        --r.skip;
        continue;
      }
      --r.count;
      return std::make_pair(r.err, r.torn);
    }
    return std::nullopt;
  }

  Env* base_ = Env::posix();
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::map<Op, int> calls_;
  std::map<std::string, State> files_;
};

}  // namespace kinesisd::storage::testing
