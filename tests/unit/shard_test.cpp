// engine::Shard, the per-shard actor: group-committed appends from concurrent callers, per-shard throughput
// limits on writes and reads, fsync policies. Runs a real io_context (the strand) and a thread pool (storage).
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kinesisd/engine/shard.hpp"
#include "kinesisd/storage/shard_log.hpp"
#include "kinesisd/util/clock.hpp"

namespace kinesisd::engine {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

const std::string kThrottle = "Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000.";

using Requests = std::vector<AppendRequest>;

class ShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-shard-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    root_ = templ;
  }
  void TearDown() override {
    pool_.join();
    shard_.reset();
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }

  std::unique_ptr<storage::ShardLog> open_log() {
    std::vector<std::string> report;
    auto log = storage::ShardLog::open(root_ + "/shard", storage::ShardLog::Options{}, report);
    EXPECT_TRUE(log.ok()) << log.error().message;
    EXPECT_TRUE(report.empty());
    return log.ok() ? std::move(log.value()) : nullptr;
  }
  void make_shard(ShardOptions options, std::unique_ptr<storage::ShardLog> log = nullptr) {
    if (!log) log = open_log();
    ASSERT_NE(log, nullptr);
    shard_ = std::make_shared<Shard>(io_, pool_.get_executor(), std::move(log), options, kThrottle);
  }
  ShardOptions opts(bool limits, FsyncPolicy fsync = FsyncPolicy::kInterval) {
    ShardOptions o;
    o.throughput_limits = limits;
    o.fsync = fsync;
    return o;
  }

  // Runs the io_context until `done()` holds, or fails after a deadline.
  template <class Pred>
  void run_until(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "callbacks did not arrive in time";
      io_.run_one_for(std::chrono::milliseconds(10));
    }
  }

  // One append call, run to completion.
  std::vector<AppendResult> append_and_wait(Requests records) {
    std::vector<AppendResult> out;
    bool done = false;
    shard_->append(std::make_shared<const Requests>(std::move(records)), [&](std::vector<AppendResult> r) {
      out = std::move(r);
      done = true;
    });
    run_until([&] { return done; });
    return out;
  }
  Status admit_read_and_wait() {
    Status out = make_error(ErrorCode::kInternal, "not called");
    bool done = false;
    shard_->admit_read([&](Status s) {
      out = std::move(s);
      done = true;
    });
    run_until([&] { return done; });
    return out;
  }
  // Lets everything posted so far run (the strand is FIFO).
  void drain_strand() {
    bool done = false;
    asio::post(shard_->strand(), [&] { done = true; });
    run_until([&] { return done; });
  }

  static Requests tiny(size_t n) {
    Requests r(n);
    for (size_t i = 0; i < n; ++i) {
      r[i].partition_key = "k";
      r[i].data = "x";
    }
    return r;
  }

  std::vector<storage::StoredRecord> all_records() {
    auto r = shard_->log().read(0, 1u << 30, 1u << 30);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->records : std::vector<storage::StoredRecord>{};
  }

  std::string root_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  asio::thread_pool pool_{2};
  std::shared_ptr<Shard> shard_;
};

TEST_F(ShardTest, SingleAppendAssignsPositionsAndArrival) {
  make_shard(opts(true));
  const int64_t before = now_ms();
  Requests reqs = {{"pk-a", "alpha"}, {"pk-b", "beta"}, {"pk-c", ""}};
  auto results = append_and_wait(reqs);
  const int64_t after = now_ms();
  ASSERT_EQ(results.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(results[i].status.ok()) << results[i].status.error().message;
    EXPECT_EQ(results[i].position, i);
    EXPECT_GE(results[i].arrival_ms, before);
    EXPECT_LE(results[i].arrival_ms, after);
  }
  EXPECT_EQ(shard_->log().end_position(), 3u);
  auto stored = all_records();
  ASSERT_EQ(stored.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(stored[i].partition_key, reqs[i].partition_key);
    EXPECT_EQ(stored[i].data, reqs[i].data);
    EXPECT_EQ(stored[i].arrival_ms, results[i].arrival_ms);
  }
  // The next append continues where this one ended.
  auto more = append_and_wait(tiny(2));
  ASSERT_EQ(more.size(), 2u);
  EXPECT_EQ(more[0].position, 3u);
  EXPECT_EQ(more[1].position, 4u);
  EXPECT_GE(more[0].arrival_ms, results[2].arrival_ms);
}

TEST_F(ShardTest, EmptyAppendCompletesWithNoResults) {
  make_shard(opts(true));
  bool called = false;
  size_t n = 99;
  shard_->append(std::make_shared<const Requests>(), [&](std::vector<AppendResult> r) {
    called = true;
    n = r.size();
  });
  run_until([&] { return called; });
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(shard_->log().end_position(), 0u);
}

TEST_F(ShardTest, ConcurrentCallersGetUniqueConsecutivePositionsInOrder) {
  make_shard(opts(false));
  constexpr int kCallers = 4, kCalls = 25, kPerCall = 4;
  std::mutex mu;
  std::map<int, std::vector<std::pair<std::string, AppendResult>>> by_caller;  // in issue order per caller
  std::atomic<int> completed{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int call = 0; call < kCalls; ++call) {
        auto reqs = std::make_shared<Requests>();
        for (int i = 0; i < kPerCall; ++i)
          reqs->push_back({"caller-" + std::to_string(c),
                           "c" + std::to_string(c) + "-" + std::to_string(call) + "-" + std::to_string(i)});
        // Without waiting for the previous call: the strand keeps each caller's calls in order.
        shard_->append(reqs, [&, c, reqs](std::vector<AppendResult> results) {
          std::lock_guard lock(mu);
          for (size_t i = 0; i < results.size(); ++i) by_caller[c].push_back({(*reqs)[i].data, results[i]});
          ++completed;
        });
      }
    });
  }
  run_until([&] { return completed.load() == kCallers * kCalls; });
  for (auto& t : callers) t.join();

  constexpr uint64_t kTotal = kCallers * kCalls * kPerCall;
  std::set<uint64_t> positions;
  std::map<uint64_t, std::string> data_at;
  for (const auto& [c, entries] : by_caller) {
    ASSERT_EQ(entries.size(), static_cast<size_t>(kCalls * kPerCall)) << "caller " << c;
    for (size_t k = 0; k < entries.size(); ++k) {
      const auto& [data, result] = entries[k];
      ASSERT_TRUE(result.status.ok()) << result.status.error().message;
      positions.insert(result.position);
      data_at[result.position] = data;
      // Callbacks of one caller arrive in issue order, and so do the positions.
      const std::string want = "c" + std::to_string(c) + "-" + std::to_string(k / kPerCall) + "-" +
                               std::to_string(k % kPerCall);
      EXPECT_EQ(data, want);
      if (k > 0) {
        EXPECT_GT(result.position, entries[k - 1].second.position) << "caller " << c << " entry " << k;
      }
    }
  }
  ASSERT_EQ(positions.size(), kTotal);  // unique
  EXPECT_EQ(*positions.begin(), 0u);
  EXPECT_EQ(*positions.rbegin(), kTotal - 1);  // and consecutive
  EXPECT_EQ(shard_->log().end_position(), kTotal);

  const auto stored = all_records();
  ASSERT_EQ(stored.size(), kTotal);
  for (uint64_t p = 0; p < kTotal; ++p) {
    EXPECT_EQ(stored[p].position, p);
    EXPECT_EQ(stored[p].data, data_at[p]) << p;
    if (p > 0) {
      EXPECT_GE(stored[p].arrival_ms, stored[p - 1].arrival_ms) << p;
    }
  }
}

TEST_F(ShardTest, RecordsPerSecondLimitAdmitsExactlyOneThousand) {
  make_shard(opts(true));
  auto results = append_and_wait(tiny(1001));
  ASSERT_EQ(results.size(), 1001u);
  size_t ok = 0, throttled = 0;
  for (const auto& r : results) {
    if (r.status.ok()) {
      ++ok;
    } else {
      ++throttled;
      EXPECT_EQ(r.status.error().code, ErrorCode::kProvisionedThroughputExceeded);
      EXPECT_EQ(r.status.error().message, kThrottle);
    }
  }
  EXPECT_EQ(ok, 1000u);
  EXPECT_EQ(throttled, 1u);
  EXPECT_FALSE(results.back().status.ok());
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(results[i].position, i);
  EXPECT_EQ(shard_->log().end_position(), 1000u);
}

TEST_F(ShardTest, WithoutLimitsEverythingPasses) {
  make_shard(opts(false));
  auto results = append_and_wait(tiny(1001));
  ASSERT_EQ(results.size(), 1001u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].status.ok()) << i;
    EXPECT_EQ(results[i].position, i);
  }
  auto again = append_and_wait(tiny(1500));
  for (const auto& r : again) ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(shard_->log().end_position(), 2501u);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(admit_read_and_wait().ok()) << i;
  shard_->charge_read(100u * 1024 * 1024);
  EXPECT_TRUE(admit_read_and_wait().ok());
}

TEST_F(ShardTest, FullyThrottledAppendWritesNothing) {
  make_shard(opts(true));
  // One 4 MiB record passes on a full byte bucket and leaves it 3 MiB in debt: about 3 s of refill.
  auto big = append_and_wait({{"k", std::string(4 * 1024 * 1024, 'B')}});
  ASSERT_EQ(big.size(), 1u);
  ASSERT_TRUE(big[0].status.ok());
  auto results = append_and_wait(tiny(5));
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) {
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code, ErrorCode::kProvisionedThroughputExceeded);
    EXPECT_EQ(r.status.error().message, kThrottle);
  }
  EXPECT_EQ(shard_->log().end_position(), 1u);
}

TEST_F(ShardTest, BytesPerSecondLimit) {
  make_shard(opts(true));
  // A full bucket admits one oversized record, leaving it in debt, so the next is refused.
  Requests reqs = {{"k", std::string(1024 * 1024, 'b')}, {"k", "x"}};
  auto results = append_and_wait(reqs);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].status.ok());
  ASSERT_FALSE(results[1].status.ok());
  EXPECT_EQ(results[1].status.error().code, ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(shard_->log().end_position(), 1u);
}

TEST_F(ShardTest, ReadCallsLimitedToFivePerSecond) {
  make_shard(opts(true));
  // Six calls queued at once run back to back on the strand, well within one refill interval (200 ms).
  std::vector<Status> got;
  for (int i = 0; i < 6; ++i) shard_->admit_read([&](Status s) { got.push_back(std::move(s)); });
  run_until([&] { return got.size() == 6; });
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(got[i].ok()) << "call " << i << ": " << got[i].error().message;
  const Status& sixth = got[5];
  ASSERT_FALSE(sixth.ok());
  EXPECT_EQ(sixth.error().code, ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(sixth.error().message, kThrottle);
  // One call's worth refills in 200 ms.
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_TRUE(admit_read_and_wait().ok());
}

TEST_F(ShardTest, ReadBytesDebtBlocksReadsEvenAfterOneSecond) {
  make_shard(opts(true));
  EXPECT_TRUE(admit_read_and_wait().ok());
  shard_->charge_read(10u * 1024 * 1024);  // 2 MiB/s budget: 8 MiB in debt
  auto s = admit_read_and_wait();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(s.error().message, kThrottle);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto later = admit_read_and_wait();  // call tokens are back, but 6 MiB of debt remain
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, ErrorCode::kProvisionedThroughputExceeded);
}

TEST_F(ShardTest, SmallReadChargeDoesNotBlock) {
  make_shard(opts(true));
  shard_->charge_read(0);
  shard_->charge_read(1024 * 1024);  // within the 2 MiB budget
  drain_strand();
  EXPECT_TRUE(admit_read_and_wait().ok());
}

TEST_F(ShardTest, FsyncAlwaysAppendsComplete) {
  make_shard(opts(true, FsyncPolicy::kAlways));
  for (int round = 0; round < 5; ++round) {
    auto results = append_and_wait({{"k", "always-" + std::to_string(round)}, {"k2", "more"}});
    ASSERT_EQ(results.size(), 2u);
    for (const auto& r : results) ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(results[0].position, 2u * round);
  }
  const auto stored = all_records();
  ASSERT_EQ(stored.size(), 10u);
  EXPECT_EQ(stored[8].data, "always-4");
}

TEST_F(ShardTest, FsyncNeverAppendsComplete) {
  make_shard(opts(true, FsyncPolicy::kNever));
  auto results = append_and_wait(tiny(10));
  for (const auto& r : results) ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(shard_->log().end_position(), 10u);
}

TEST_F(ShardTest, SyncIfDirtyAfterIntervalWrites) {
  make_shard(opts(true, FsyncPolicy::kInterval));
  shard_->sync_if_dirty();  // nothing written yet: a no-op
  auto results = append_and_wait(tiny(20));
  for (const auto& r : results) ASSERT_TRUE(r.status.ok());
  // On the storage pool, as the interval timer runs it.
  std::promise<void> synced;
  asio::post(pool_, [&] {
    shard_->sync_if_dirty();
    shard_->sync_if_dirty();  // no longer dirty
    synced.set_value();
  });
  ASSERT_EQ(synced.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(shard_->log().sync().ok());
  EXPECT_EQ(all_records().size(), 20u);
  auto more = append_and_wait(tiny(3));
  for (const auto& r : more) ASSERT_TRUE(r.status.ok());
  shard_->sync_if_dirty();
  EXPECT_EQ(shard_->log().end_position(), 23u);
}

TEST_F(ShardTest, ContinuesAfterExistingRecordsWithMonotonicArrival) {
  auto log = open_log();
  ASSERT_NE(log, nullptr);
  const int64_t future = now_ms() + 3'600'000;  // the log's last record arrived "later" than now
  const std::string data = "old";
  std::vector<storage::RecordView> old;
  for (uint64_t p = 0; p < 5; ++p) old.push_back({p, future, 0, "k", data});
  ASSERT_TRUE(log->append(old, false).ok());
  make_shard(opts(true), std::move(log));
  auto results = append_and_wait(tiny(2));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].position, 5u);
  EXPECT_EQ(results[1].position, 6u);
  EXPECT_EQ(results[0].arrival_ms, future);  // max(now, previous arrival)
  EXPECT_EQ(shard_->log().last_arrival_ms(), future);
}

}  // namespace
}  // namespace kinesisd::engine
