// The storage layer under injected disk faults (tests/unit/fault_env.hpp): every step of an append, a segment
// roll, a retention drop, a catalog update and recovery. The rules (docs/reliability.md): nothing
// acknowledged is lost, nothing that failed is served as if it had been written, a position that may be on
// disk is never used twice, a whole-file replacement is old or new after a crash, and the log recovers when
// the disk does.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fault_env.hpp"
#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/storage/shard_log.hpp"

namespace kinesisd::storage {
namespace {

namespace fs = std::filesystem;
using testing::FaultEnv;
using Op = FaultEnv::Op;

class StorageFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-fault-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    root_ = templ;
    dir_ = root_ + "/shardId-000000000000";
    open();
  }
  void TearDown() override {
    log_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void open(uint64_t segment_bytes = 64ull * 1024 * 1024) {
    log_.reset();
    std::vector<std::string> report;
    ShardLog::Options options;
    options.env = &env_;
    options.segment_bytes = segment_bytes_ = segment_bytes;
    auto opened = ShardLog::open(dir_, options, report);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    log_ = std::move(opened.value());
  }
  // kill -9 or power loss: what was not synced is gone; then a restart.
  void crash_and_restart() {
    log_.reset();
    env_.crash();
    env_.clear_faults();
    open(segment_bytes_);
  }

  // Appends `n` records from position `next_`; remembers them as acknowledged when the append succeeds.
  Status append(size_t n, bool sync, size_t data_size = 40) {
    std::vector<std::string> keys, datas;
    std::vector<RecordView> views;
    for (size_t i = 0; i < n; ++i) {
      keys.push_back("pk-" + std::to_string(next_ + i));
      datas.push_back(std::string(data_size, static_cast<char>('a' + (next_ + i) % 26)));
    }
    for (size_t i = 0; i < n; ++i)
      views.push_back({next_ + i, 1000 + static_cast<int64_t>(next_ + i), 0, keys[i], datas[i]});
    Status s = log_->append(views, sync);
    for (size_t i = 0; i < n; ++i) {
      if (s)
        acked_[next_ + i] = datas[i];
      else
        failed_.push_back(next_ + i);
    }
    next_ += n;  // the shard never hands a position out twice, failed or not
    return s;
  }

  // Every record readable now, by position.
  std::map<uint64_t, std::string> readable() {
    std::map<uint64_t, std::string> out;
    auto r = log_->read(0, 1u << 30, 1u << 30);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (r.ok())
      for (auto& rec : r->records) out[rec.position] = rec.data;
    return out;
  }
  void expect_exactly_acked() {
    EXPECT_EQ(readable(), acked_);
    for (uint64_t p : failed_) EXPECT_EQ(readable().count(p), 0u) << "a failed record is served: " << p;
  }

  FaultEnv env_;
  std::string root_, dir_;
  uint64_t segment_bytes_ = 0;
  std::unique_ptr<ShardLog> log_;
  uint64_t next_ = 0;
  std::map<uint64_t, std::string> acked_;
  std::vector<uint64_t> failed_;
};

TEST_F(StorageFaultTest, FaultEnvModelsLostPagesAfterAFailedSync) {
  auto f = env_.open(root_ + "/f", OpenMode::kCreate, 0600);
  ASSERT_TRUE(f);
  ASSERT_TRUE(env_.sync_dir(root_));
  ASSERT_TRUE((*f)->write_at(0, "durable"));
  ASSERT_TRUE((*f)->sync());
  ASSERT_TRUE((*f)->write_at(7, "-lost"));
  env_.fail(Op::kSync, EIO);
  EXPECT_FALSE((*f)->sync());
  ASSERT_TRUE((*f)->sync());  // succeeds, but the pages it "cleaned" were never written
  f.value().reset();
  env_.crash();
  EXPECT_EQ(read_file(root_ + "/f").value(), "durable");
}

TEST_F(StorageFaultTest, TornWriteIsCutAndItsPositionsAreNeverReused) {
  ASSERT_TRUE(append(3, false));
  env_.fail(Op::kWrite, ENOSPC, 1, 0, 30);  // half of a frame reaches the file
  auto s = append(2, false);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_FALSE(log_->fenced()) << "the cut succeeded at once";
  expect_exactly_acked();
  ASSERT_TRUE(append(2, false));
  EXPECT_EQ(log_->end_position(), 7u);
  expect_exactly_acked();
  ASSERT_TRUE(log_->sync());
  crash_and_restart();
  expect_exactly_acked();
  EXPECT_EQ(log_->end_position(), 7u);
}

TEST_F(StorageFaultTest, FailedSyncUnderAlwaysIsNeverServedNowOrAfterACrash) {
  ASSERT_TRUE(append(4, true));
  env_.fail(Op::kSync, EIO);
  ASSERT_FALSE(append(3, true));
  expect_exactly_acked();  // readers never saw the failed batch
  ASSERT_TRUE(append(2, true));
  expect_exactly_acked();
  crash_and_restart();
  expect_exactly_acked();
  EXPECT_GE(log_->end_position(), 9u);
}

TEST_F(StorageFaultTest, ADeadDiskFencesUntilItRecovers) {
  ASSERT_TRUE(append(2, true));
  env_.fail(Op::kSync, EIO, 1000);  // every sync fails, the repair's too
  ASSERT_FALSE(append(2, true));
  EXPECT_TRUE(log_->fenced());
  auto refused = append(1, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(log_->recover());
  expect_exactly_acked();
  env_.clear_faults();
  ASSERT_TRUE(log_->recover());
  EXPECT_FALSE(log_->fenced());
  EXPECT_EQ(log_->end_position(), 5u) << "appends continue past every position handed out";
  ASSERT_TRUE(append(2, true));
  expect_exactly_acked();
  crash_and_restart();
  expect_exactly_acked();
}

TEST_F(StorageFaultTest, FailedIntervalSyncRewritesAcknowledgedRecordsFromThePageCache) {
  ASSERT_TRUE(append(5, false));  // acknowledged after write(2): the `interval` policy
  env_.fail(Op::kSync, EIO);
  EXPECT_FALSE(log_->sync());
  EXPECT_FALSE(log_->fenced()) << "the repair rewrote and synced them at once";
  crash_and_restart();
  expect_exactly_acked();
}

TEST_F(StorageFaultTest, FailedRollKeepsTheDataAndRecovers) {
  open(300);  // a few records a segment
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(2, true, 60));
  env_.fail(Op::kCreate, ENOSPC);
  Status s = Status::Ok();
  for (int i = 0; i < 4 && s; ++i) s = append(2, true, 60);
  ASSERT_FALSE(s) << "a roll had to create a segment";
  expect_exactly_acked();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(2, true, 60));
  expect_exactly_acked();
  crash_and_restart();
  expect_exactly_acked();
}

TEST_F(StorageFaultTest, RetentionDropWithFaultsLosesNothingUnexpired) {
  open(300);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(append(2, true, 60));
  env_.fail(Op::kCreate, EIO);  // the open segment's roll, when everything has expired
  auto dropped = log_->drop_expired(1'000'000);
  EXPECT_FALSE(dropped.ok());
  env_.clear_faults();
  ASSERT_TRUE(log_->recover());
  dropped = log_->drop_expired(1'000'000);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message;
  acked_.clear();
  expect_exactly_acked();
  ASSERT_TRUE(append(1, true));
  crash_and_restart();
  expect_exactly_acked();
}

TEST_F(StorageFaultTest, ReadErrorDuringRecoveryFailsTheOpenInsteadOfCuttingTheLog) {
  ASSERT_TRUE(append(20, true));
  log_.reset();
  env_.fail(Op::kRead, EIO, 1);
  std::vector<std::string> report;
  ShardLog::Options options;
  options.env = &env_;
  auto opened = ShardLog::open(dir_, options, report);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kIo);
  EXPECT_TRUE(report.empty()) << report.front();
  env_.clear_faults();
  open();
  expect_exactly_acked();
}

TEST_F(StorageFaultTest, AtomicFileIsOldOrNewAfterAFaultAtEveryStep) {
  const std::string path = root_ + "/catalog.json";
  ASSERT_TRUE(write_file_atomically(path, "old-catalog", 0600, &env_));
  for (Op op : {Op::kCreate, Op::kWrite, Op::kSync, Op::kRename, Op::kSyncDir}) {
    env_.fail(op, EIO, 1, 0, 4);
    EXPECT_FALSE(write_file_atomically(path, "new-catalog-content", 0600, &env_));
    env_.crash();
    auto content = read_file(path);
    ASSERT_TRUE(content) << static_cast<int>(op);
    EXPECT_TRUE(content.value() == "old-catalog" || content.value() == "new-catalog-content")
        << static_cast<int>(op) << ": " << content.value();
    env_.clear_faults();
    ASSERT_TRUE(write_file_atomically(path, "old-catalog", 0600, &env_));
  }
  ASSERT_TRUE(write_file_atomically(path, "new", 0600, &env_));
  env_.crash();
  EXPECT_EQ(read_file(path).value(), "new");
}

TEST_F(StorageFaultTest, NewFilesAreNotReadableByOthers) {
  ASSERT_TRUE(write_file_atomically(root_ + "/secret", "k"));
  EXPECT_EQ(fs::status(root_ + "/secret").permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  ASSERT_TRUE(make_directories(root_ + "/a/b"));
  EXPECT_EQ(fs::status(root_ + "/a/b").permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  ASSERT_TRUE(append(1, true));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.status().permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none)
        << e.path();
}

// Random faults at every operation, random crashes: under `always` whatever was acknowledged is there after
// each crash, and whatever failed never is.
TEST_F(StorageFaultTest, RandomFaultsAndCrashesUnderAlways) {
  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  open(400);
  const Op ops[] = {Op::kWrite, Op::kSync, Op::kTruncate, Op::kCreate, Op::kSyncDir};
  for (int round = 0; round < 300; ++round) {
    const int dice = static_cast<int>(rng() % 10);
    if (dice < 3)
      env_.fail(ops[rng() % 5], rng() % 2 ? EIO : ENOSPC, 1, static_cast<int>(rng() % 3), rng() % 80);
    if (log_->fenced() && rng() % 2) (void)log_->recover();
    (void)append(1 + rng() % 4, true, 20 + rng() % 60);
    if (dice == 9) {
      crash_and_restart();
      ASSERT_EQ(readable(), acked_) << "round " << round;
      next_ = std::max(next_, log_->end_position());
    }
  }
  env_.clear_faults();
  (void)log_->recover();
  crash_and_restart();
  ASSERT_EQ(readable(), acked_);
  for (uint64_t p : failed_) EXPECT_EQ(acked_.count(p), 0u);
}

}  // namespace
}  // namespace kinesisd::storage
