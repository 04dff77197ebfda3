#include "kinesisd/storage/shard_log.hpp"

#include <algorithm>

#include "kinesisd/storage/atomic_file.hpp"

namespace kinesisd::storage {
namespace {

constexpr size_t kReadChunk = 256 * 1024;


// Walks the frames of one segment from an offset up to a size, reading in chunks.
class FrameCursor {
 public:
  FrameCursor(const LogSegment& seg, uint64_t offset, uint64_t limit)
      : seg_(seg), offset_(offset), limit_(limit), buf_offset_(offset) {}

  // kOk with the next frame, kIncomplete at the limit, kCorrupt on a bad frame or read error.
  FrameStatus next(RecordView* rec) {
    for (;;) {
      if (offset_ >= limit_) return FrameStatus::kIncomplete;
      const size_t avail = static_cast<size_t>(buf_offset_ + buf_.size() - offset_);
      std::string_view view(buf_.data() + (offset_ - buf_offset_), avail);
      size_t frame_bytes = 0, needed = 0;
      const FrameStatus fs = decode_frame(view, rec, &frame_bytes, &needed);
      if (fs == FrameStatus::kOk) {
        offset_ += frame_bytes;
        return fs;
      }
      if (fs == FrameStatus::kCorrupt) return fs;
      const uint64_t remaining = limit_ - offset_;
      if (avail >= remaining) return FrameStatus::kCorrupt;  // committed bytes end inside a frame
      const size_t n = static_cast<size_t>(std::min<uint64_t>(std::max(kReadChunk, needed), remaining));
      buf_.resize(n);
      buf_offset_ = offset_;
      if (!seg_.file().read_at(offset_, buf_.data(), n)) return FrameStatus::kCorrupt;
    }
  }

 private:
  const LogSegment& seg_;
  uint64_t offset_;
  uint64_t limit_;
  uint64_t buf_offset_;  // file offset of buf_[0]; buf_ always covers [buf_offset_, offset_] or is empty
  std::string buf_;
};

Error corrupt(const LogSegment& seg) {
  return make_error(ErrorCode::kCorruption, "a record in " + LogSegment::file_name(seg.base(), "log") +
                                                " failed its checksum; it is not served");
}

}  // namespace

Result<std::unique_ptr<ShardLog>> ShardLog::open(const std::string& dir, Options options,
                                                 std::vector<std::string>& report) {
  Env* env = options.env;
  if (auto s = make_directories(dir, env); !s) return s.error();
  std::unique_ptr<ShardLog> log(new ShardLog(dir, options));
  std::vector<uint64_t> bases;
  auto names = env->children(dir);
  if (!names) return names.error();
  for (const auto& name : names.value()) {
    if (name.size() == 24 && name.substr(20) == ".log" &&
        std::all_of(name.begin(), name.begin() + 20, [](char c) { return c >= '0' && c <= '9'; })) {
      bases.push_back(std::stoull(name.substr(0, 20)));
    }
  }
  std::sort(bases.begin(), bases.end());
  for (size_t i = 0; i < bases.size(); ++i) {
    auto seg = LogSegment::open(env, dir, bases[i], i + 1 == bases.size(), report);
    if (!seg) return seg.error();
    log->segments_.push_back(std::move(seg.value()));
  }
  for (size_t i = 0; i + 1 < log->segments_.size(); ++i) {
    const auto& seg = log->segments_[i];
    if (seg->end_position() > log->segments_[i + 1]->base()) {
      report.push_back("event=segment_overlap file=" + dir + "/" + LogSegment::file_name(seg->base(), "log") +
                       " end=" + std::to_string(seg->end_position()) + " next_base=" +
                       std::to_string(log->segments_[i + 1]->base()) + " reason=\"records from the next base on are not served from it\"");
    }
  }
  if (log->segments_.empty()) {
    auto seg = LogSegment::create(env, dir, 0);
    if (!seg) return seg.error();
    log->segments_.push_back(std::move(seg.value()));
  }
  return log;
}

std::vector<std::shared_ptr<LogSegment>> ShardLog::snapshot() const {
  std::lock_guard lock(list_mu_);
  return segments_;
}

std::shared_ptr<LogSegment> ShardLog::active() const {
  std::lock_guard lock(list_mu_);
  return segments_.back();
}

uint64_t ShardLog::start_position() const {
  std::lock_guard lock(list_mu_);
  return segments_.front()->base();
}

uint64_t ShardLog::end_position() const { return active()->end_position(); }

int64_t ShardLog::last_arrival_ms() const {
  for (const auto& seg : [&] { auto s = snapshot(); std::reverse(s.begin(), s.end()); return s; }()) {
    if (!seg->empty()) return seg->last_arrival_ms();
  }
  return 0;
}

Status ShardLog::roll(const std::shared_ptr<LogSegment>& seg, uint64_t base) {
  if (auto s = seg->seal(); !s) return s;
  auto next = LogSegment::create(options_.env, dir_, base);
  if (!next) return next.error();
  std::lock_guard list_lock(list_mu_);
  segments_.push_back(next.value());
  return Status::Ok();
}

Status ShardLog::append(const std::vector<RecordView>& records, bool sync_now) {
  if (records.empty()) return Status::Ok();
  std::lock_guard lock(write_mu_);
  const uint64_t burned_end = records.back().position + 1;
  if (fenced()) {
    // The caller handed these positions out: they are skipped, so that every position the shard handed out
    // ends up written or skipped, and a closed shard's recorded end is reached.
    burned_end_ = std::max(burned_end_, burned_end);
    return make_error(ErrorCode::kUnavailable, "the log of " + dir_ + " is fenced after a disk error");
  }
  auto seg = active();
  const uint64_t first = records.front().position;
  if (first < seg->end_position()) {
    return make_error(ErrorCode::kInternal, "append at position " + std::to_string(first) +
                                                " below the end " + std::to_string(seg->end_position()) +
                                                " of " + dir_);
  }
  // Positions skipped by a failed write start a new segment: within a segment they are consecutive.
  if (seg->size() >= options_.segment_bytes || first > seg->end_position()) {
    if (auto s = roll(seg, first); !s) return fence(s, burned_end);
    seg = active();
  }
  std::string frames;
  size_t total = 0;
  for (const auto& r : records) total += frame_size(r);
  frames.reserve(total);
  std::vector<IndexEntry> starts;
  starts.reserve(records.size());
  for (const auto& r : records) {
    starts.push_back({r.position, frames.size(), r.arrival_ms});
    append_frame(r, frames);
  }
  if (auto s = seg->append(frames, starts, burned_end, records.back().arrival_ms, sync_now); !s) {
    return fence(s, burned_end);
  }
  return Status::Ok();
}

Status ShardLog::sync() {
  std::lock_guard lock(write_mu_);
  if (fenced()) return recover_locked();
  if (auto s = active()->sync(); !s) return fence(s, 0);
  return Status::Ok();
}

Status ShardLog::fence(Status cause, uint64_t burned_end) {
  fenced_.store(true, std::memory_order_release);
  burned_end_ = std::max(burned_end_, burned_end);
  (void)recover_locked();  // at once, so the caller's failure answer is true when it goes out
  return cause;
}

Status ShardLog::recover() {
  std::lock_guard lock(write_mu_);
  return recover_locked();
}

Status ShardLog::recover_locked() {
  if (!fenced()) return Status::Ok();
  auto seg = active();
  if (auto s = seg->repair(); !s) return s;
  // Positions handed to the failed write may be on disk in spite of the cut (a device that lies about
  // truncation): they are never handed out again. Appends continue in a new segment past them.
  if (burned_end_ > seg->end_position()) {
    if (auto s = roll(seg, burned_end_); !s) return s;
  }
  fenced_.store(false, std::memory_order_release);
  return Status::Ok();
}

Result<size_t> ShardLog::drop_expired(int64_t cutoff_ms) {
  std::lock_guard lock(write_mu_);
  size_t dropped = 0;
  for (;;) {
    auto segs = snapshot();
    auto& first = segs.front();
    const bool expired = !first->empty() && first->last_arrival_ms() < cutoff_ms;
    const bool empty_sealed = first->empty() && segs.size() > 1;
    if (!expired && !empty_sealed) break;
    if (segs.size() == 1) {
      // Even the open segment has expired: seal it and open an empty one at the next position first.
      if (fenced()) break;  // the open segment is being repaired; expire it once that is done
      if (auto s = roll(first, first->end_position()); !s) return fence(s, 0).error();
    }
    {
      std::lock_guard list_lock(list_mu_);
      segments_.erase(segments_.begin());
    }
    first->remove_files();
    ++dropped;
  }
  return dropped;
}

Result<ReadResult> ShardLog::read(uint64_t from, size_t max_records, size_t max_bytes) const {
  const auto segs = snapshot();
  ReadResult out;
  from = std::max(from, segs.front()->base());
  out.next_position = from;
  auto it = std::upper_bound(segs.begin(), segs.end(), from,
                             [](uint64_t p, const std::shared_ptr<LogSegment>& s) { return p < s->base(); });
  if (it != segs.begin()) --it;
  for (; it != segs.end(); ++it) {
    const LogSegment& seg = **it;
    // A segment never holds positions from the next one's base on (damaged files could claim them).
    const auto following = std::next(it);
    const uint64_t end = following == segs.end() ? seg.end_position()
                                                 : std::min(seg.end_position(), (*following)->base());
    const uint64_t limit = seg.size();  // read after end: a frame counted in end is always within size
    const bool full = out.records.size() >= max_records || (!out.records.empty() && out.bytes >= max_bytes);
    if (full) return out;
    // Records between a damaged segment's readable end and the next segment are lost: say so, never skip them.
    auto stop_at_damage = [&]() -> bool {
      const auto next = std::next(it);
      return seg.damaged() && out.next_position >= end && next != segs.end() && (*next)->base() > out.next_position;
    };
    if (out.next_position >= end) {
      if (stop_at_damage()) {
        if (!out.records.empty()) return out;
        return corrupt(seg);
      }
      continue;
    }
    out.next_position = std::max(out.next_position, seg.base());
    const IndexEntry start = seg.seek_position(out.next_position);
    FrameCursor cursor(seg, start.offset, limit);
    uint64_t expected = start.position;  // positions within a segment are consecutive: anything else is damage
    RecordView rec;
    for (;;) {
      // Stop before decoding a frame the answer has no room for: a damaged frame beyond the limits is not this
      // read's business.
      if (out.records.size() >= max_records || (!out.records.empty() && out.bytes >= max_bytes)) return out;
      const FrameStatus fs = cursor.next(&rec);
      if (fs == FrameStatus::kIncomplete) break;
      if (fs == FrameStatus::kCorrupt || rec.position != expected++) {
        if (!out.records.empty()) return out;  // the next read starts there and fails
        return corrupt(seg);
      }
      if (rec.position >= end) break;
      if (rec.position < out.next_position) continue;
      const size_t bytes = rec.data.size() + rec.partition_key.size();
      if (out.records.size() >= max_records || (!out.records.empty() && out.bytes + bytes > max_bytes)) {
        return out;
      }
      out.records.push_back({rec.position, rec.arrival_ms, rec.flags, std::string(rec.partition_key),
                             std::string(rec.data)});
      out.bytes += bytes;
      out.next_position = rec.position + 1;
    }
    if (stop_at_damage()) return out;  // the next read starts at the damage and fails there
  }
  return out;
}

Result<uint64_t> ShardLog::position_at(int64_t arrival_ms) const {
  const auto segs = snapshot();
  for (const auto& seg : segs) {
    if (seg->empty() || seg->last_arrival_ms() < arrival_ms) continue;
    const IndexEntry start = seg->seek_arrival(arrival_ms);
    FrameCursor cursor(*seg, start.offset, seg->size());
    uint64_t expected = start.position;
    RecordView rec;
    for (;;) {
      const FrameStatus fs = cursor.next(&rec);
      if (fs == FrameStatus::kCorrupt || (fs == FrameStatus::kOk && rec.position != expected++)) return corrupt(*seg);
      if (fs == FrameStatus::kIncomplete) break;
      if (rec.arrival_ms >= arrival_ms) return rec.position;
    }
  }
  return segs.back()->end_position();
}

std::optional<int64_t> ShardLog::arrival_of(uint64_t position) const {
  auto r = read(position, 1, 0);
  if (!r || r->records.empty() || r->records.front().position != position) return std::nullopt;
  return r->records.front().arrival_ms;
}

}  // namespace kinesisd::storage
