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
  std::string encryption_key_id;  // empty: stored plain
};

namespace {

// Replaces the views of records whose batch asks for encryption with sealed ones (flags bit 0, the partition
// key inside the sealed data; docs/log-format.md). `sealed` owns the new bytes. Storage-pool side.
Status seal_views(const RecordCipher* cipher, std::vector<storage::RecordView>& views,
                  const std::vector<const std::string*>& key_ids, std::vector<std::string>& sealed) {
  sealed.reserve(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    if (key_ids[i] == nullptr) continue;
    if (cipher == nullptr) return make_error(ErrorCode::kInternal, "record encryption is not configured");
    auto& v = views[i];
    auto s = cipher->seal_record(*key_ids[i], v.position, v.partition_key, v.data);
    if (!s) return s.error();
    sealed.push_back(std::move(s.value()));
  }
  size_t next = 0;
  for (size_t i = 0; i < views.size(); ++i) {
    if (key_ids[i] == nullptr) continue;
    views[i].flags = storage::kFlagEncrypted;
    views[i].partition_key = {};
    views[i].data = sealed[next++];
  }
  return Status::Ok();
}

}  // namespace

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

void Shard::append(std::shared_ptr<const std::vector<AppendRequest>> records, AppendDone done,
                   std::string encryption_key_id) {
  asio::post(strand_, [self = shared_from_this(), records = std::move(records), done = std::move(done),
                       key_id = std::move(encryption_key_id)]() mutable {
    auto batch = std::make_shared<Batch>();
    batch->records = std::move(records);
    batch->done = std::move(done);
    batch->encryption_key_id = std::move(key_id);
    batch->results.resize(batch->records->size());
    if (self->closed_) {
      for (auto& r : batch->results) r.status = make_error(ErrorCode::kResourceInUse, "the shard is closed");
      batch->done(std::move(batch->results));
      return;
    }
    if (self->fenced_) {
      for (auto& r : batch->results)
        r.status = make_error(ErrorCode::kUnavailable, "the shard is recovering");
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
  auto key_ids = std::make_shared<std::vector<const std::string*>>();  // per view: nullptr when stored plain
  bool encrypt = false;
  const int64_t arrival = std::max(now_ms(), last_arrival_ms_);
  uint64_t position = next_position_;
  for (auto& batch : *inflight) {
    const std::string* key_id = batch->encryption_key_id.empty() ? nullptr : &batch->encryption_key_id;
    encrypt = encrypt || key_id != nullptr;
    for (size_t i : batch->admitted) {
      const auto& r = (*batch->records)[i];
      views->push_back({position, arrival, 0, r.partition_key, r.data});
      key_ids->push_back(key_id);
      batch->results[i].position = position;
      batch->results[i].arrival_ms = arrival;
      ++position;
    }
  }
  next_position_ = position;
  last_arrival_ms_ = arrival;
  const bool sync = options_.fsync == FsyncPolicy::kAlways;
  asio::post(storage_, [self = shared_from_this(), inflight, views, key_ids, encrypt, sync] {
    // Sealing runs here, on the storage pool, never on an I/O thread or the shard's strand.
    std::vector<std::string> sealed;
    Status written = encrypt ? seal_views(self->options_.cipher.get(), *views, *key_ids, sealed) : Status::Ok();
    if (written) written = self->log_->append(*views, sync);
    if (written && !sync) self->dirty_.store(true, std::memory_order_relaxed);
    const bool fenced = !written && self->log_->fenced();
    asio::post(self->strand_, [self, inflight, written, fenced] {
      self->writing_ = false;
      if (!written) {
        spdlog::error("event=append_failed dir={} error=\"{}\"", self->log_->dir(), written.error().message);
        // The positions of this write are never reused (docs/reliability.md): the next write starts past
        // them, and the log starts a new segment there.
        for (auto& batch : *inflight)
          for (size_t i : batch->admitted) batch->results[i].status = written;
      }
      for (auto& batch : *inflight) batch->done(std::move(batch->results));
      self->wake_readers();  // new records, or (after a failure) a log that moved past the failed positions
      if (fenced) return self->enter_fence();
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
    self->wake_readers();
  });
}

void Shard::when_readable(uint64_t position, std::function<void()> wake) {
  asio::post(strand_, [self = shared_from_this(), position, wake = std::move(wake)]() mutable {
    if (self->log_->end_position() > position) return wake();
    // Waiters of subscriptions that ended stay until the next wake-up; past this many, wake them all now (the
    // live ones simply ask again), so an idle shard's list stays bounded.
    if (self->readers_.size() >= kMaxReaders) self->wake_readers();
    self->readers_.push_back(std::move(wake));
  });
}

void Shard::notify_readers() {
  asio::post(strand_, [self = shared_from_this()] { self->wake_readers(); });
}

void Shard::wake_readers() {
  auto readers = std::move(readers_);
  readers_.clear();
  for (auto& wake : readers) wake();
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
  if (auto s = log_->sync(); !s) {
    spdlog::error("event=fsync_failed dir={} error=\"{}\"", log_->dir(), s.error().message);
    if (log_->fenced()) asio::post(strand_, [self = shared_from_this()] { self->enter_fence(); });
  }
}

void Shard::enter_fence() {
  if (fenced_) return;
  fenced_ = true;
  spdlog::error(
      "event=shard_fenced dir={} reason=\"a write or sync failed; appends are refused until the log is "
      "repaired\"",
      log_->dir());
  for (auto& batch : pending_) {
    for (size_t i : batch->admitted)
      batch->results[i].status = make_error(ErrorCode::kUnavailable, "the shard is recovering");
    batch->done(std::move(batch->results));
  }
  pending_.clear();
  retry_delay_ = std::chrono::milliseconds(20);
  schedule_recovery();
}

void Shard::schedule_recovery() {
  if (!retry_timer_) retry_timer_ = std::make_unique<asio::steady_timer>(strand_);
  retry_timer_->expires_after(retry_delay_);
  retry_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    asio::post(self->storage_, [self] {
      Status recovered = self->log_->recover();
      asio::post(self->strand_, [self, recovered] {
        if (!recovered) {
          spdlog::error("event=shard_recovery_failed dir={} retry_ms={} error=\"{}\"", self->log_->dir(),
                        self->retry_delay_.count(), recovered.error().message);
          self->retry_delay_ = std::min(self->retry_delay_ * 2, std::chrono::milliseconds(5000));
          return self->schedule_recovery();
        }
        self->fenced_ = false;
        self->next_position_ = std::max(self->next_position_, self->log_->end_position());
        spdlog::warn("event=shard_recovered dir={} next_position={}", self->log_->dir(),
                     self->next_position_);
        self->wake_readers();
        if (!self->pending_.empty() && !self->writing_) self->flush();
      });
    });
  });
}

}  // namespace kinesisd::engine
