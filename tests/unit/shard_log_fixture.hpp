// Shared fixture of the storage::ShardLog tests (shard_log_test.cpp, shard_log_recovery_test.cpp): a temporary
// shard directory, a record generator that remembers what it appended, and helpers to damage files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "kinesisd/storage/log_segment.hpp"
#include "kinesisd/storage/record_frame.hpp"
#include "kinesisd/storage/shard_log.hpp"

namespace kinesisd::storage::shard_log_testing {

namespace fs = std::filesystem;

struct Expected {
  std::string key;
  std::string data;
  int64_t arrival_ms = 0;
};

class ShardLogFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-shardlog-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    root_ = templ;
    dir_ = root_ + "/shardId-000000000000";
  }
  void TearDown() override {
    log_.reset();
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }

  // (Re)opens the log; the previous instance is closed first, as a restart would.
  void reopen(uint64_t segment_bytes = 64ull * 1024 * 1024) {
    log_.reset();
    report_.clear();
    ShardLog::Options options;
    options.segment_bytes = segment_bytes;
    auto opened = ShardLog::open(dir_, options, report_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    log_ = std::move(opened.value());
  }

  static std::string data_for(uint64_t p, size_t size) {
    std::string d(size, '\0');
    for (size_t i = 0; i < size; ++i) d[i] = static_cast<char>((p * 31 + i * 7) & 0xFF);
    return d;
  }

  // Appends `n` records in one call; record p gets arrival `arrival(p)`, `data_size` bytes of data.
  template <class ArrivalFn>
  void append(size_t n, size_t data_size, ArrivalFn arrival, bool sync = false) {
    const uint64_t first = log_->end_position();
    ASSERT_EQ(first, expected_.size());
    std::vector<Expected> batch;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t p = first + i;
      batch.push_back({"pk-" + std::to_string(p), data_for(p, data_size), arrival(p)});
    }
    std::vector<RecordView> views;
    for (size_t i = 0; i < n; ++i) views.push_back({first + i, batch[i].arrival_ms, 0, batch[i].key, batch[i].data});
    auto s = log_->append(views, sync);
    ASSERT_TRUE(s.ok()) << s.error().message;
    for (auto& e : batch) expected_.push_back(std::move(e));
    ASSERT_EQ(log_->end_position(), expected_.size());
  }
  void append(size_t n, size_t data_size = 50) {
    append(n, data_size, [](uint64_t p) { return static_cast<int64_t>(1000 + p); });
  }
  // One append call per record, so that a small segment size rolls often.
  void append_one_by_one(size_t n, size_t data_size = 200) {
    for (size_t i = 0; i < n; ++i) append(1, data_size);
  }

  size_t frame_bytes(uint64_t p) const {
    return kFrameHeaderBytes + kPayloadFixedBytes + expected_[p].key.size() + expected_[p].data.size();
  }
  // Offset of record p in a log that is one segment from position `base`.
  uint64_t offset_of(uint64_t p, uint64_t base = 0) const {
    uint64_t off = 0;
    for (uint64_t q = base; q < p; ++q) off += frame_bytes(q);
    return off;
  }

  std::string seg_path(uint64_t base, const char* ext) const { return dir_ + "/" + LogSegment::file_name(base, ext); }
  std::vector<uint64_t> bases(const std::string& ext) const {
    std::vector<uint64_t> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const auto name = e.path().filename().string();
      if (e.path().extension() == ext) out.push_back(std::stoull(name.substr(0, 20)));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static void flip_byte(const std::string& path, uint64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << path;
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    ASSERT_TRUE(f.good()) << "offset " << offset << " of " << path;
    c = static_cast<char>(c ^ 0x20);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }
  static void write_at(const std::string& path, uint64_t offset, const std::string& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << path;
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(f.good());
  }
  static void append_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::app);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(f.good());
  }

  bool reported(const std::string& needle) const {
    for (const auto& line : report_)
      if (line.find(needle) != std::string::npos) return true;
    return false;
  }
  std::string report_text() const {
    std::string s;
    for (const auto& line : report_) s += line + "\n";
    return s;
  }

  // Reads everything from `from` and checks it against what was appended.
  void expect_records_from(uint64_t from, uint64_t first_expected) {
    auto r = log_->read(from, 1u << 30, 1u << 30);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->records.size(), expected_.size() - first_expected) << "from " << from;
    for (size_t i = 0; i < r->records.size(); ++i) {
      const auto& got = r->records[i];
      const uint64_t p = first_expected + i;
      ASSERT_EQ(got.position, p);
      ASSERT_EQ(got.partition_key, expected_[p].key) << p;
      ASSERT_TRUE(got.data == expected_[p].data) << "data of " << p;
      ASSERT_EQ(got.arrival_ms, expected_[p].arrival_ms) << p;
      ASSERT_EQ(got.flags, 0);
    }
    EXPECT_EQ(r->next_position, expected_.size());
  }
  void expect_all_records() { expect_records_from(0, 0); }

  // Cuts the expectations back to `n` records, as recovery should.
  void expect_only(size_t n) { expected_.resize(n); }

  // After recovery of the tail: the report says so, the earlier records are intact and appends continue.
  void expect_recovered_to(size_t n, uint64_t file_bytes) {
    EXPECT_TRUE(reported("event=log_truncated")) << report_text();
    EXPECT_EQ(fs::file_size(seg_path(0, "log")), file_bytes);
    expect_only(n);
    EXPECT_EQ(log_->end_position(), n);
    EXPECT_EQ(log_->last_arrival_ms(), expected_.back().arrival_ms);
    expect_all_records();
    append(3);
    EXPECT_EQ(log_->end_position(), n + 3);
    expect_all_records();
    reopen();
    EXPECT_TRUE(report_.empty()) << report_text();
    EXPECT_EQ(log_->end_position(), n + 3);
    expect_all_records();
  }

  std::string root_;
  std::string dir_;
  std::vector<std::string> report_;
  std::unique_ptr<ShardLog> log_;
  std::vector<Expected> expected_;
};

}  // namespace kinesisd::storage::shard_log_testing
