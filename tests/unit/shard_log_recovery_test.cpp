// storage::ShardLog recovery (docs/log-format.md, "Recovery"): a damaged tail segment is truncated at its last
// valid frame and reported; a missing or damaged .idx of a sealed segment is rebuilt by scanning; a record that
// fails its checksum in a sealed segment is never served.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "shard_log_fixture.hpp"

namespace kinesisd::storage {
namespace {

namespace fs = std::filesystem;

// ---- the last segment ----

class ShardLogDamageTest : public shard_log_testing::ShardLogFixture {};

class ShardLogRecoveryTest : public shard_log_testing::ShardLogFixture {
 protected:
  static constexpr size_t kRecords = 10;
  void SetUp() override {
    ShardLogFixture::SetUp();
    reopen();
    append(kRecords, 40);
    log_.reset();
    path_ = seg_path(0, "log");
    ASSERT_EQ(fs::file_size(path_), offset_of(kRecords));
  }
  std::string path_;
};

TEST_F(ShardLogRecoveryTest, GarbageAppended) {
  append_bytes(path_, "this is not a frame at all, just some garbage bytes that a torn write left behind");
  reopen();
  expect_recovered_to(kRecords, offset_of(kRecords));
}

TEST_F(ShardLogRecoveryTest, ChecksumMismatchInLastFrame) {
  flip_byte(path_, offset_of(kRecords - 1) + frame_bytes(kRecords - 1) - 3);  // a data byte
  reopen();
  expect_recovered_to(kRecords - 1, offset_of(kRecords - 1));
}

TEST_F(ShardLogRecoveryTest, ChecksumMismatchInMiddleFrameDropsTheRest) {
  flip_byte(path_, offset_of(4) + kFrameHeaderBytes + 2);  // inside record 4's position field
  reopen();
  expect_recovered_to(4, offset_of(4));
}

TEST_F(ShardLogRecoveryTest, BadLengthField) {
  write_at(path_, offset_of(kRecords - 1) + 4, std::string("\xFF\xFF\xFF\x7F", 4));
  reopen();
  expect_recovered_to(kRecords - 1, offset_of(kRecords - 1));
}

TEST_F(ShardLogRecoveryTest, LengthPointingPastEndOfFile) {
  // A valid length value (1 MiB) that the file cannot hold: an incomplete frame.
  write_at(path_, offset_of(kRecords - 1) + 4, std::string("\x00\x00\x10\x00", 4));
  reopen();
  expect_recovered_to(kRecords - 1, offset_of(kRecords - 1));
}

TEST_F(ShardLogRecoveryTest, TruncatedTrailingRecord) {
  fs::resize_file(path_, offset_of(kRecords - 1) + frame_bytes(kRecords - 1) / 2);
  reopen();
  expect_recovered_to(kRecords - 1, offset_of(kRecords - 1));
}

TEST_F(ShardLogRecoveryTest, TornHeader) {
  std::string next;
  RecordView r{kRecords, 5000, 0, "pk", "next record"};
  append_frame(r, next);
  append_bytes(path_, next.substr(0, 5));
  reopen();
  expect_recovered_to(kRecords, offset_of(kRecords));
}

TEST_F(ShardLogRecoveryTest, ZeroFilledTail) {
  append_bytes(path_, std::string(4096, '\0'));
  reopen();
  expect_recovered_to(kRecords, offset_of(kRecords));
}

TEST_F(ShardLogRecoveryTest, FrameOutOfSequence) {
  // A well-formed frame that does not carry the next position.
  std::string stray;
  RecordView r{kRecords + 5, 5000, 0, "pk", "skipped ahead"};
  append_frame(r, stray);
  append_bytes(path_, stray);
  reopen();
  expect_recovered_to(kRecords, offset_of(kRecords));
}

TEST_F(ShardLogRecoveryTest, ReportNamesOffsetAndDroppedBytes) {
  append_bytes(path_, std::string(100, '\0'));
  reopen();
  ASSERT_EQ(report_.size(), 1u) << report_text();
  EXPECT_NE(report_[0].find("event=log_truncated"), std::string::npos) << report_[0];
  EXPECT_NE(report_[0].find("offset=" + std::to_string(offset_of(kRecords))), std::string::npos) << report_[0];
  EXPECT_NE(report_[0].find("dropped_bytes=100"), std::string::npos) << report_[0];
}

TEST_F(ShardLogRecoveryTest, CleanLogReportsNothing) {
  reopen();
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->end_position(), kRecords);
  expect_all_records();
}

TEST_F(ShardLogDamageTest, DamagedTailAfterSeveralSegments) {
  reopen(4096);
  append_one_by_one(60);
  const uint64_t tail = bases(".log").back();
  ASSERT_GT(tail, 0u);
  ASSERT_LT(tail, 59u);
  log_.reset();
  append_bytes(seg_path(tail, "log"), std::string(4096, '\0'));
  reopen(4096);
  EXPECT_TRUE(reported("event=log_truncated")) << report_text();
  EXPECT_EQ(fs::file_size(seg_path(tail, "log")), offset_of(60, tail));
  EXPECT_EQ(log_->end_position(), 60u);
  expect_all_records();
  append_one_by_one(5);
  expect_all_records();
}

// ---- sealed segments ----

TEST_F(ShardLogDamageTest, MissingOrDamagedIndexIsRebuilt) {
  reopen(4096);
  append_one_by_one(80);
  const auto idxs = bases(".idx");
  ASSERT_GE(idxs.size(), 3u);
  log_.reset();
  fs::remove(seg_path(idxs[0], "idx"));                                                  // missing
  fs::resize_file(seg_path(idxs[1], "idx"), 20);                                         // short
  write_at(seg_path(idxs[2], "idx"), 0, "XXXXXXXX");                                     // bad magic
  if (idxs.size() > 3) fs::resize_file(seg_path(idxs[3], "idx"), fs::file_size(seg_path(idxs[3], "idx")) - 24);
  reopen(4096);
  EXPECT_FALSE(reported("event=log_truncated")) << report_text();
  EXPECT_EQ(log_->end_position(), 80u);
  EXPECT_EQ(log_->start_position(), 0u);
  for (uint64_t from = 0; from <= 80; from += 3) expect_records_from(from, from);
  for (uint64_t p = 0; p < 80; p += 5) EXPECT_EQ(log_->arrival_of(p), expected_[p].arrival_ms);
  append_one_by_one(10);
  expect_all_records();
}

TEST_F(ShardLogDamageTest, IndexDisagreeingWithSegmentSizeIsRebuilt) {
  reopen(4096);
  append_one_by_one(50);
  const auto idxs = bases(".idx");
  ASSERT_GE(idxs.size(), 2u);
  log_.reset();
  // The trailer's size field: the index then disagrees with its segment's size.
  const std::string idx = seg_path(idxs[0], "idx");
  const uint64_t trailer = fs::file_size(idx) - 24;
  flip_byte(idx, trailer + 8);
  reopen(4096);
  EXPECT_EQ(log_->end_position(), 50u);
  for (uint64_t from = 0; from <= 50; from += 2) expect_records_from(from, from);
}

TEST_F(ShardLogDamageTest, IndexWithWrongEndPositionIsNotTrusted) {
  reopen(4096);
  append_one_by_one(50);
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 3u);
  log_.reset();
  // The trailer's end_position, one less than the truth: the index now disagrees with the next segment's base.
  const std::string idx = seg_path(logs[0], "idx");
  const uint64_t trailer = fs::file_size(idx) - 24;
  const uint64_t wrong_end = logs[1] - 1;
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &wrong_end, 8);
  write_at(idx, trailer, bytes);
  reopen(4096);
  EXPECT_EQ(log_->end_position(), 50u);
  for (uint64_t from = 0; from <= 50; from += 2) expect_records_from(from, from);
}

TEST_F(ShardLogDamageTest, IndexWithBadEntryOffsetIsNotTrusted) {
  reopen(128 * 1024);
  for (int i = 0; i < 30; ++i) append(10, 1024);
  const auto idxs = bases(".idx");
  ASSERT_GE(idxs.size(), 1u);
  log_.reset();
  // The last entry of the first index (before the 24-byte trailer): set its offset's top byte.
  const std::string idx = seg_path(idxs[0], "idx");
  const uint64_t size = fs::file_size(idx);
  ASSERT_GE(size, 8u + 3 * 24u) << "the segment should have several index entries";
  write_at(idx, size - 48 + 8 + 7, std::string(1, '\x01'));
  reopen(128 * 1024);
  EXPECT_EQ(log_->end_position(), 300u);
  for (uint64_t from = 0; from < 300; ++from) {
    auto r = log_->read(from, 1, 1 << 20);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->records.size(), 1u) << "from " << from;
    EXPECT_EQ(r->records[0].position, from);
    EXPECT_TRUE(r->records[0].data == expected_[from].data) << "from " << from;
  }
  expect_all_records();
}

TEST_F(ShardLogDamageTest, CorruptFrameInSealedSegmentWithIndexFailsReads) {
  reopen(4096);
  append_one_by_one(80);
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 4u);
  const uint64_t base = logs[1], next = logs[2];
  const uint64_t bad = base + (next - base) / 2;
  log_.reset();
  flip_byte(seg_path(base, "log"), offset_of(bad, base) + frame_bytes(bad) - 10);  // a data byte
  reopen(4096);
  EXPECT_EQ(log_->end_position(), 80u);

  // Reads that end before the record ahead of the bad one are fine.
  auto before = log_->read(0, bad - 1, 1 << 20);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->records.size(), bad - 1);
  EXPECT_EQ(before->next_position, bad - 1);
  for (uint64_t from : {uint64_t{0}, base, bad - 1}) {
    auto r = log_->read(from, 1000, 1 << 20);
    ASSERT_TRUE(r.ok()) << "from " << from << ": " << r.error().message;
    ASSERT_EQ(r->records.size(), bad - from) << "from " << from;
    EXPECT_EQ(r->records.back().position, bad - 1);
    EXPECT_EQ(r->next_position, bad);
  }
  auto at_bad = log_->read(bad, 1000, 1 << 20);
  ASSERT_FALSE(at_bad.ok()) << "returned " << at_bad->records.size() << " records";
  EXPECT_EQ(at_bad.error().code, ErrorCode::kCorruption);
  expect_records_from(next, next);
  EXPECT_FALSE(log_->arrival_of(bad).has_value());
}

TEST_F(ShardLogDamageTest, ReadEndingJustBeforeCorruptFrameSucceeds) {
  reopen(4096);
  append_one_by_one(80);
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 4u);
  const uint64_t base = logs[1], next = logs[2];
  const uint64_t bad = base + (next - base) / 2;
  log_.reset();
  flip_byte(seg_path(base, "log"), offset_of(bad, base) + frame_bytes(bad) - 10);
  reopen(4096);
  // Limited by max_records: positions 0 .. bad-1, none of them damaged.
  auto by_count = log_->read(0, bad, 1 << 20);
  ASSERT_TRUE(by_count.ok()) << by_count.error().message;
  EXPECT_EQ(by_count->records.size(), bad);
  EXPECT_EQ(by_count->next_position, bad);
  // Limited by max_bytes: one record (the limit is below two records' bytes).
  auto by_bytes = log_->read(bad - 1, 1000, 1);
  ASSERT_TRUE(by_bytes.ok()) << by_bytes.error().message;
  ASSERT_EQ(by_bytes->records.size(), 1u);
  EXPECT_EQ(by_bytes->records[0].position, bad - 1);
  // arrival_of is a one-record read.
  EXPECT_EQ(log_->arrival_of(bad - 1), expected_[bad - 1].arrival_ms);
}

TEST_F(ShardLogDamageTest, CorruptFrameInSealedSegmentWithoutIndexFailsReads) {
  reopen(4096);
  append_one_by_one(80);
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 4u);
  const uint64_t base = logs[1], next = logs[2];
  const uint64_t bad = base + (next - base) / 2;
  log_.reset();
  flip_byte(seg_path(base, "log"), offset_of(bad, base) + frame_bytes(bad) - 10);
  fs::remove(seg_path(base, "idx"));
  reopen(4096);
  EXPECT_FALSE(reported("event=log_truncated")) << report_text();  // a sealed segment is never truncated
  EXPECT_EQ(fs::file_size(seg_path(base, "log")), offset_of(next, base));
  EXPECT_EQ(log_->end_position(), 80u);
  for (uint64_t from : {uint64_t{0}, base, bad - 1}) {
    auto r = log_->read(from, 1000, 1 << 20);
    ASSERT_TRUE(r.ok()) << "from " << from << ": " << r.error().message;
    ASSERT_EQ(r->records.size(), bad - from) << "from " << from;
    EXPECT_EQ(r->records.back().position, bad - 1);
    EXPECT_EQ(r->next_position, bad);
  }
  auto at_bad = log_->read(bad, 1000, 1 << 20);
  ASSERT_FALSE(at_bad.ok()) << "returned " << at_bad->records.size() << " records";
  EXPECT_EQ(at_bad.error().code, ErrorCode::kCorruption);
  expect_records_from(next, next);
}

TEST_F(ShardLogDamageTest, SealedSegmentRescanReportsDamage) {
  reopen(4096);
  append_one_by_one(60);
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 3u);
  log_.reset();
  flip_byte(seg_path(logs[1], "log"), 30);
  fs::remove(seg_path(logs[1], "idx"));
  reopen(4096);
  EXPECT_TRUE(reported("event=segment_damaged")) << report_text();
  // The sealed file is left as is.
  EXPECT_EQ(fs::file_size(seg_path(logs[1], "log")), offset_of(logs[2], logs[1]));
  // The first segment is untouched.
  auto r = log_->read(0, logs[1], 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), logs[1]);
}

}  // namespace
}  // namespace kinesisd::storage
