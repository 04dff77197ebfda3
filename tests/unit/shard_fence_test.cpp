// engine::Shard after disk faults: the failed write is answered with kIo, the shard is fenced (appends
// refused with kUnavailable, nothing queued behind a dead disk), recovery is retried with backoff until the
// disk works, and then appends continue past every position handed out. Under `interval` a failed periodic
// sync fences too.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fault_env.hpp"
#include "kinesisd/engine/shard.hpp"

namespace kinesisd::engine {
namespace {

namespace asio = boost::asio;
using storage::testing::FaultEnv;
using Op = FaultEnv::Op;

class ShardFenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-fence-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    root_ = templ;
  }
  void TearDown() override {
    pool_.join();
    shard_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  void make_shard(FsyncPolicy fsync) {
    std::vector<std::string> report;
    storage::ShardLog::Options log_options;
    log_options.env = &env_;
    auto log = storage::ShardLog::open(root_ + "/shard", log_options, report);
    ASSERT_TRUE(log) << log.error().message;
    ShardOptions options;
    options.fsync = fsync;
    options.throughput_limits = false;
    shard_ = std::make_shared<Shard>(io_, pool_.get_executor(), std::move(log.value()), options, "throttled");
  }
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  std::vector<AppendResult> append(const std::string& data, size_t n = 1) {
    std::vector<AppendRequest> records(n, AppendRequest{"k", data});
    std::vector<AppendResult> out;
    bool done = false;
    shard_->append(std::make_shared<const std::vector<AppendRequest>>(std::move(records)),
                   [&](std::vector<AppendResult> r) {
                     out = std::move(r);
                     done = true;
                   });
    EXPECT_TRUE(run_until([&] { return done; }));
    return out;
  }
  std::vector<storage::StoredRecord> records() {
    auto r = shard_->log().read(0, 1000, 1 << 20);
    EXPECT_TRUE(r);
    return r ? r->records : std::vector<storage::StoredRecord>{};
  }

  FaultEnv env_;
  std::string root_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  asio::thread_pool pool_{1};
  std::shared_ptr<Shard> shard_;
};

TEST_F(ShardFenceTest, FencedWhileTheDiskFailsThenResumesPastTheFailedPositions) {
  make_shard(FsyncPolicy::kAlways);
  ASSERT_TRUE(append("before")[0].status);
  env_.fail(Op::kSync, EIO, 1'000'000);  // the write's sync and every repair fail
  auto failed = append("failed", 2);
  ASSERT_EQ(failed.size(), 2u);
  ASSERT_FALSE(failed[0].status);
  EXPECT_EQ(failed[0].status.error().code, ErrorCode::kIo);
  ASSERT_TRUE(run_until([&] { return env_.calls(Op::kSync) >= 4; })) << "recovery is retried";
  auto refused = append("refused");
  ASSERT_FALSE(refused[0].status);
  EXPECT_EQ(refused[0].status.error().code, ErrorCode::kUnavailable);
  env_.clear_faults();
  std::vector<AppendResult> after;
  ASSERT_TRUE(run_until([&] {
    after = append("after");
    return static_cast<bool>(after[0].status);
  }));
  EXPECT_GE(after[0].position, 3u) << "positions handed to the failed write are not reused";
  auto stored = records();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].data, "before");
  EXPECT_EQ(stored[1].data, "after");
}

TEST_F(ShardFenceTest, FailedIntervalSyncThatCannotBeRepairedFencesTheShard) {
  make_shard(FsyncPolicy::kInterval);
  ASSERT_TRUE(append("acked")[0].status);
  env_.fail(Op::kSync, EIO, 1'000'000);
  shard_->sync_if_dirty();  // the `interval` timer's call, here on the test thread
  EXPECT_TRUE(shard_->log().fenced());
  std::vector<AppendResult> refused;
  ASSERT_TRUE(run_until([&] {
    refused = append("refused");
    return !refused[0].status && refused[0].status.error().code == ErrorCode::kUnavailable;
  }));
  env_.clear_faults();
  ASSERT_TRUE(run_until([&] { return static_cast<bool>(append("later")[0].status); }));
  auto stored = records();
  ASSERT_GE(stored.size(), 2u);
  EXPECT_EQ(stored.front().data, "acked");
  for (const auto& r : stored) EXPECT_NE(r.data, "refused");
}

}  // namespace
}  // namespace kinesisd::engine
