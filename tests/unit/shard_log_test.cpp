// storage::ShardLog: appends, reads and their limits, restart, segment rolling, timestamp seeks, retention by
// whole segments, and readers alongside the writer (docs/log-format.md). Damage and recovery are in
// shard_log_recovery_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "shard_log_fixture.hpp"

namespace kinesisd::storage {
namespace {

namespace fs = std::filesystem;

class ShardLogTest : public shard_log_testing::ShardLogFixture {};

TEST_F(ShardLogTest, OpenEmptyDirectory) {
  reopen();
  EXPECT_TRUE(report_.empty());
  EXPECT_EQ(log_->start_position(), 0u);
  EXPECT_EQ(log_->end_position(), 0u);
  EXPECT_EQ(log_->last_arrival_ms(), 0);
  EXPECT_EQ(log_->dir(), dir_);
  EXPECT_TRUE(fs::exists(seg_path(0, "log")));
  auto r = log_->read(0, 100, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_position, 0u);
  EXPECT_FALSE(log_->arrival_of(0).has_value());
  auto at = log_->position_at(0);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, 0u);
}

TEST_F(ShardLogTest, AppendAndReadBack) {
  reopen();
  append(5, 10, [](uint64_t) { return int64_t{5000}; });
  append(1, 0);  // a record with no data
  append(10, 300, [](uint64_t p) { return static_cast<int64_t>(6000 + p / 2); });
  EXPECT_EQ(log_->end_position(), 16u);
  EXPECT_EQ(log_->start_position(), 0u);
  EXPECT_EQ(log_->last_arrival_ms(), expected_.back().arrival_ms);
  expect_all_records();
  expect_records_from(7, 7);
  expect_records_from(15, 15);
  auto at_end = log_->read(16, 10, 1000);
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->records.empty());
  EXPECT_EQ(at_end->next_position, 16u);
}

TEST_F(ShardLogTest, ReadLimits) {
  reopen();
  append(20, 100);  // each record: 100 data bytes + a 4..5 byte key
  auto r = log_->read(0, 3, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->next_position, 3u);
  EXPECT_EQ(r->bytes, 3 * 100 + 3 * 4u);  // "pk-0".."pk-2"

  // About 350 bytes: three records fit (312), a fourth would not (416).
  auto b = log_->read(5, 100, 350);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->records.size(), 3u);
  EXPECT_EQ(b->records.front().position, 5u);
  EXPECT_EQ(b->next_position, 8u);
  EXPECT_LE(b->bytes, 350u);

  // At least one record even when it alone is bigger than max_bytes.
  auto one = log_->read(10, 100, 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->records.size(), 1u);
  EXPECT_EQ(one->records[0].position, 10u);
  EXPECT_EQ(one->next_position, 11u);
  auto zero = log_->read(10, 100, 0);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->records.size(), 1u);

  // Paging with next_position visits every record once.
  uint64_t from = 0;
  std::vector<uint64_t> seen;
  for (int guard = 0; guard < 100 && from < 20; ++guard) {
    auto page = log_->read(from, 7, 1 << 20);
    ASSERT_TRUE(page.ok());
    ASSERT_FALSE(page->records.empty());
    for (const auto& rec : page->records) seen.push_back(rec.position);
    from = page->next_position;
  }
  ASSERT_EQ(seen.size(), 20u);
  for (uint64_t p = 0; p < 20; ++p) EXPECT_EQ(seen[p], p);
}

TEST_F(ShardLogTest, ReopenKeepsEndAndLastArrival) {
  reopen();
  append(7, 64, [](uint64_t p) { return static_cast<int64_t>(1700000000000 + 10 * p); });
  append(3, 64, [](uint64_t) { return int64_t{1700000000100}; });
  log_.reset();
  reopen();
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->end_position(), 10u);
  EXPECT_EQ(log_->start_position(), 0u);
  EXPECT_EQ(log_->last_arrival_ms(), 1700000000100);
  expect_all_records();
  append(2, 8, [](uint64_t) { return int64_t{1700000000200}; });
  expect_all_records();
}

TEST_F(ShardLogTest, SyncAppendsAndExplicitSync) {
  reopen();
  append(4, 32, [](uint64_t p) { return static_cast<int64_t>(p); }, /*sync=*/true);
  EXPECT_TRUE(log_->sync().ok());
  expect_all_records();
}

TEST_F(ShardLogTest, SegmentsRollAndReadsCrossBoundaries) {
  reopen(4096);
  append_one_by_one(100);  // ~236-byte frames: 18 a segment
  const auto logs = bases(".log");
  const auto idxs = bases(".idx");
  ASSERT_GE(logs.size(), 4u);
  EXPECT_EQ(logs.front(), 0u);
  // Every segment but the open one is sealed with an index.
  ASSERT_EQ(idxs.size(), logs.size() - 1);
  for (size_t i = 0; i + 1 < logs.size(); ++i) EXPECT_EQ(idxs[i], logs[i]);
  for (size_t i = 1; i < logs.size(); ++i) {
    EXPECT_GT(logs[i], logs[i - 1]);
    // A segment reaches the limit before it rolls, and exceeds it by at most one append.
    EXPECT_EQ(fs::file_size(seg_path(logs[i - 1], "log")), offset_of(logs[i], logs[i - 1]));
    EXPECT_GE(fs::file_size(seg_path(logs[i - 1], "log")), 4096u);
    EXPECT_LT(fs::file_size(seg_path(logs[i - 1], "log")), 4096u + frame_bytes(logs[i] - 1));
  }
  for (uint64_t from = 0; from <= 100; ++from) expect_records_from(from, from);
  // Small pages across boundaries.
  uint64_t from = 0, count = 0;
  while (from < 100) {
    auto page = log_->read(from, 5, 1 << 20);
    ASSERT_TRUE(page.ok());
    ASSERT_FALSE(page->records.empty());
    EXPECT_EQ(page->records.front().position, from);
    count += page->records.size();
    from = page->next_position;
  }
  EXPECT_EQ(count, 100u);
  // And the same after a restart (sealed segments from their .idx, the tail rescanned).
  reopen(4096);
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->end_position(), 100u);
  for (uint64_t from2 = 0; from2 <= 100; from2 += 3) expect_records_from(from2, from2);
  append_one_by_one(30);
  expect_all_records();
}

TEST_F(ShardLogTest, LargeSegmentsWithManyIndexEntries) {
  // 1 KiB records, 128 KiB segments: several sparse-index entries per segment.
  reopen(128 * 1024);
  for (int i = 0; i < 60; ++i) append(10, 1024);
  ASSERT_GE(bases(".log").size(), 4u);
  for (uint64_t from = 0; from < 600; from += 7) {
    auto r = log_->read(from, 3, 1 << 20);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->records.size(), 3u);
    EXPECT_EQ(r->records[0].position, from);
    EXPECT_TRUE(r->records[0].data == expected_[from].data) << "from " << from;
  }
  reopen(128 * 1024);
  EXPECT_TRUE(report_.empty()) << report_text();
  for (uint64_t from = 1; from < 600; from += 11) {
    auto r = log_->read(from, 1, 1 << 20);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->records.size(), 1u);
    EXPECT_EQ(r->records[0].position, from);
    EXPECT_EQ(log_->arrival_of(from), expected_[from].arrival_ms);
  }
  expect_all_records();
}

TEST_F(ShardLogTest, RecordsLargerThanTheReadChunk) {
  // Frames bigger than the 256 KiB read buffer, read back directly and after a rescan at restart.
  reopen();
  append(3, 1024 * 1024);
  append(4, 300 * 1024);
  append(2, 10);
  expect_all_records();
  expect_records_from(4, 4);
  reopen();
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->end_position(), 9u);
  expect_all_records();
  // A torn 1 MiB record at the tail is dropped whole.
  append(1, 1024 * 1024);
  log_.reset();
  fs::resize_file(seg_path(0, "log"), offset_of(9) + 700 * 1024);
  reopen();
  EXPECT_TRUE(reported("event=log_truncated")) << report_text();
  expect_only(9);
  EXPECT_EQ(log_->end_position(), 9u);
  EXPECT_EQ(fs::file_size(seg_path(0, "log")), offset_of(9));
  expect_all_records();
}

TEST_F(ShardLogTest, UnrelatedFilesInTheDirectoryAreIgnored) {
  reopen();
  append(3);
  log_.reset();
  { std::ofstream(dir_ + "/notes.log") << "not a segment"; }
  { std::ofstream(dir_ + "/0000000000000000000x.log") << "not a segment either"; }
  { std::ofstream(dir_ + "/00000000000000000000.log.tmp") << "junk"; }
  reopen();
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->start_position(), 0u);
  EXPECT_EQ(log_->end_position(), 3u);
  expect_all_records();
}

// ---- timestamp seeks ----

TEST_F(ShardLogTest, PositionAtArrivalAcrossSegments) {
  reopen(4096);
  // Arrival times with repeats: 2000, 2000, 2000, 2010, 2010, 2010, ...
  for (int i = 0; i < 90; ++i) append(1, 200, [](uint64_t p) { return static_cast<int64_t>(2000 + 10 * (p / 3)); });
  ASSERT_GE(bases(".log").size(), 3u);
  auto expect_at = [&](int64_t t) {
    uint64_t want = expected_.size();
    for (uint64_t p = 0; p < expected_.size(); ++p)
      if (expected_[p].arrival_ms >= t) {
        want = p;
        break;
      }
    auto got = log_->position_at(t);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(*got, want) << "t=" << t;
  };
  for (int64_t t = 1990; t <= 2310; ++t) expect_at(t);
  EXPECT_EQ(*log_->position_at(0), 0u);                  // before the first: the start
  EXPECT_EQ(*log_->position_at(1'000'000), 90u);         // after the last: the end
  EXPECT_EQ(*log_->position_at(2000), 0u);
  EXPECT_EQ(*log_->position_at(2001), 3u);
  EXPECT_EQ(*log_->position_at(2290), 87u);
  EXPECT_EQ(*log_->position_at(2291), 90u);
  for (uint64_t p = 0; p < 90; ++p) EXPECT_EQ(log_->arrival_of(p), expected_[p].arrival_ms) << p;
  EXPECT_FALSE(log_->arrival_of(90).has_value());
  EXPECT_FALSE(log_->arrival_of(1000).has_value());
  reopen(4096);
  for (int64_t t = 1995; t <= 2300; t += 5) expect_at(t);
}

TEST_F(ShardLogTest, PositionAtWithManyIndexEntries) {
  reopen(200 * 1024);
  for (int i = 0; i < 50; ++i)
    append(10, 1000, [](uint64_t p) { return static_cast<int64_t>(100000 + 7 * (p / 4)); });
  for (int64_t t = 99990; t <= 100000 + 7 * 125 + 5; t += 3) {
    uint64_t want = expected_.size();
    for (uint64_t p = 0; p < expected_.size(); ++p)
      if (expected_[p].arrival_ms >= t) {
        want = p;
        break;
      }
    auto got = log_->position_at(t);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(*got, want) << "t=" << t;
  }
}

// ---- retention ----

TEST_F(ShardLogTest, DropExpiredDeletesWholeOldSegments) {
  reopen(4096);
  append_one_by_one(100);  // arrival 1000 + p
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 5u);
  // Nothing has expired before the first record's arrival.
  auto none = log_->drop_expired(1000);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(log_->start_position(), 0u);

  // Cut in the middle of the third segment: the first two (last arrivals < cutoff) go, the third stays.
  const int64_t cutoff = 1000 + static_cast<int64_t>(logs[2] + 3);
  auto dropped = log_->drop_expired(cutoff);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message;
  EXPECT_EQ(*dropped, 2u);
  EXPECT_FALSE(fs::exists(seg_path(logs[0], "log")));
  EXPECT_FALSE(fs::exists(seg_path(logs[0], "idx")));
  EXPECT_FALSE(fs::exists(seg_path(logs[1], "log")));
  EXPECT_FALSE(fs::exists(seg_path(logs[1], "idx")));
  EXPECT_TRUE(fs::exists(seg_path(logs[2], "log")));
  EXPECT_EQ(log_->start_position(), logs[2]);
  EXPECT_EQ(log_->end_position(), 100u);
  // A reader before the trim horizon continues from it.
  expect_records_from(0, logs[2]);
  expect_records_from(logs[1], logs[2]);
  EXPECT_FALSE(log_->arrival_of(0).has_value());
  EXPECT_FALSE(log_->arrival_of(logs[2] - 1).has_value());
  EXPECT_EQ(log_->arrival_of(logs[2]), expected_[logs[2]].arrival_ms);
  EXPECT_EQ(*log_->position_at(0), logs[2]);
  // A cutoff equal to a segment's last arrival does not expire it.
  auto same = log_->drop_expired(1000 + static_cast<int64_t>(logs[3] - 1));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, 0u);
  EXPECT_EQ(log_->start_position(), logs[2]);

  // Survives a restart.
  reopen(4096);
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->start_position(), logs[2]);
  EXPECT_EQ(log_->end_position(), 100u);
  expect_records_from(0, logs[2]);
  append_one_by_one(5);
  expect_records_from(logs[2], logs[2]);
}

TEST_F(ShardLogTest, DropExpiredWhenEvenTheOpenSegmentExpired) {
  reopen(4096);
  append_one_by_one(50);
  const auto logs = bases(".log");
  ASSERT_GE(logs.size(), 2u);
  auto dropped = log_->drop_expired(1'000'000);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message;
  EXPECT_EQ(*dropped, logs.size());
  for (uint64_t b : logs) {
    EXPECT_FALSE(fs::exists(seg_path(b, "log"))) << b;
    EXPECT_FALSE(fs::exists(seg_path(b, "idx"))) << b;
  }
  EXPECT_EQ(bases(".log"), std::vector<uint64_t>{50});
  EXPECT_EQ(log_->start_position(), 50u);
  EXPECT_EQ(log_->end_position(), 50u);
  auto empty = log_->read(0, 100, 1 << 20);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->records.empty());
  EXPECT_EQ(empty->next_position, 50u);
  EXPECT_EQ(*log_->position_at(0), 50u);
  // Dropping again does nothing.
  auto again = log_->drop_expired(1'000'000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);

  // Appends continue at the next position.
  append_one_by_one(3);
  EXPECT_EQ(log_->end_position(), 53u);
  expect_records_from(0, 50);
  reopen(4096);
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->start_position(), 50u);
  EXPECT_EQ(log_->end_position(), 53u);
  expect_records_from(0, 50);
}

TEST_F(ShardLogTest, ReopenAfterEverythingExpired) {
  reopen();
  append(10, 20);
  auto dropped = log_->drop_expired(1'000'000);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1u);
  reopen();
  EXPECT_TRUE(report_.empty()) << report_text();
  EXPECT_EQ(log_->start_position(), 10u);
  EXPECT_EQ(log_->end_position(), 10u);
  append(2, 20);
  expect_records_from(0, 10);
}

// ---- concurrency ----

TEST_F(ShardLogTest, ReadersSeeConsistentPrefixWhileWriterAppends) {
  reopen(8192);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    while (!stop.load()) {
      const uint64_t end = log_->end_position();
      auto r = log_->read(0, 1u << 30, 1u << 30);
      if (!r.ok() || r->records.size() < end) {
        ++failures;
        continue;
      }
      for (size_t i = 0; i < r->records.size(); ++i) {
        if (r->records[i].position != i || r->records[i].partition_key != "pk-" + std::to_string(i)) {
          ++failures;
          break;
        }
      }
    }
  });
  for (int i = 0; i < 150; ++i) append(2, 100);
  stop = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  expect_all_records();
}

}  // namespace
}  // namespace kinesisd::storage
