#include "kinesisd/engine/shard.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "kinesisd/util/clock.hpp"

namespace kinesisd::engine {

namespace asio = boost::asio;

struct Shard::Batch {
  std::shared_ptr<const std::vector<AppendRequest>> records;
  std::vector<AppendResult> results;
  std::vector<size_t> admitted;
  AppendDone done;
};

Shard::Shard(asio::io_context& io, asio::any_io_executor storage, std::unique_ptr<storage::ShardLog> log,
             ShardOptions options, std::string throttle_message)
    : strand_(asio::make_strand(io)),
      storage_(std::move(storage)),
      log_(std::move(log)),
      options_(options),
      throttle_message_(std::move(throttle_message)) {
  next_position_ = log_->end_position();
  last_arrival_ms_ = log_->last_arrival_ms();
}

void Shard::append(std::shared_ptr<const std::vector<AppendRequest>> records, AppendDone done) {
  asio::post(strand_, [self = shared_from_this(), records = std::move(records), done = std::move(done)]() mutable {
    auto batch = std::make_shared<Batch>();
    batch->records = std::move(records);
    batch->done = std::move(done);
    batch->results.resize(batch->records->size());
    if (self->closed_) {
      for (auto& r : batch->results) r.status = make_error(ErrorCode::kResourceInUse, "the shard is closed");
      batch->done(std::move(batch->results));
      return;
    }
    const int64_t now = now_ms();
    for (size_t i = 0; i < batch->records->size(); ++i) {
      const auto& r = (*batch->records)[i];
      if (self->options_.throughput_limits) {
        const double bytes = static_cast<double>(r.partition_key.size() + r.data.size());
        const bool bytes_ok = self->write_bytes_.tokens(now) >= bytes ||
                              self->write_bytes_.tokens(now) >= kWriteBytesPerSecond;
        if (!bytes_ok || !self->write_records_.try_take(1, now)) {
          batch->results[i].status = make_error(ErrorCode::kProvisionedThroughputExceeded, self->throttle_message_);
          continue;
        }
        self->write_bytes_.charge(bytes, now);
      }
      batch->admitted.push_back(i);
    }
    if (batch->admitted.empty()) {
      batch->done(std::move(batch->results));
      return;
    }
    self->pending_.push_back(std::move(batch));
    if (!self->writing_) self->flush();
  });
}

void Shard::flush() {
  writing_ = true;
  auto inflight = std::make_shared<std::vector<std::shared_ptr<Batch>>>(std::move(pending_));
  pending_.clear();
  auto views = std::make_shared<std::vector<storage::RecordView>>();
  const int64_t arrival = std::max(now_ms(), last_arrival_ms_);
  const uint64_t first = next_position_;
  uint64_t position = first;
  for (auto& batch : *inflight) {
    for (size_t i : batch->admitted) {
      const auto& r = (*batch->records)[i];
      views->push_back({position, arrival, 0, r.partition_key, r.data});
      batch->results[i].position = position;
      batch->results[i].arrival_ms = arrival;
      ++position;
    }
  }
  next_position_ = position;
  last_arrival_ms_ = arrival;
  const bool sync = options_.fsync == FsyncPolicy::kAlways;
  asio::post(storage_, [self = shared_from_this(), inflight, views, sync, first] {
    Status written = self->log_->append(*views, sync);
    if (written && !sync) self->dirty_.store(true, std::memory_order_relaxed);
    asio::post(self->strand_, [self, inflight, written, first] {
      self->writing_ = false;
      if (!written) {
        spdlog::error("event=append_failed dir={} error=\"{}\"", self->log_->dir(), written.error().message);
        self->next_position_ = first;  // nothing of this write counts; the next one reuses the positions
        for (auto& batch : *inflight)
          for (size_t i : batch->admitted) batch->results[i].status = written;
      }
      for (auto& batch : *inflight) batch->done(std::move(batch->results));
      if (!self->pending_.empty()) self->flush();
    });
  });
}

void Shard::close(std::function<void(uint64_t)> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    self->closed_ = true;
    // Positions are assigned when a batch goes to disk: the end counts the batches still queued.
    uint64_t end = self->next_position_;
    for (const auto& batch : self->pending_) end += batch->admitted.size();
    done(end);
  });
}

void Shard::admit_read(std::function<void(Status)> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    if (!self->options_.throughput_limits) return done(Status::Ok());
    const int64_t now = now_ms();
    if (self->read_bytes_.tokens(now) <= 0 || !self->read_calls_.try_take(1, now)) {
      return done(make_error(ErrorCode::kProvisionedThroughputExceeded, self->throttle_message_));
    }
    done(Status::Ok());
  });
}

void Shard::charge_read(size_t bytes) {
  if (!options_.throughput_limits || bytes == 0) return;
  asio::post(strand_, [self = shared_from_this(), bytes] { self->read_bytes_.charge(static_cast<double>(bytes), now_ms()); });
}

void Shard::sync_if_dirty() {
  if (!dirty_.exchange(false, std::memory_order_relaxed)) return;
  if (auto s = log_->sync(); !s) spdlog::error("event=fsync_failed dir={} error=\"{}\"", log_->dir(), s.error().message);
}

}  // namespace kinesisd::engine
