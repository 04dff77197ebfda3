#include "kinesisd/storage/log_segment.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/storage/record_frame.hpp"

namespace kinesisd::storage {
namespace {

constexpr char kIndexMagic[8] = {'K', 'D', 'I', 'D', 'X', '0', '0', '1'};

}  // namespace

std::string LogSegment::file_name(uint64_t base, const char* ext) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%020llu.%s", static_cast<unsigned long long>(base), ext);
  return buf;
}

LogSegment::LogSegment(Env* env, std::string dir, uint64_t base, std::unique_ptr<File> file)
    : env_(env), dir_(std::move(dir)), base_(base), file_(std::move(file)), end_(base) {}

Result<std::shared_ptr<LogSegment>> LogSegment::create(Env* env, const std::string& dir, uint64_t base) {
  auto file = env->open(dir + "/" + file_name(base, "log"), OpenMode::kCreate);
  if (!file) return file.error();
  // The new name must survive a crash, or records written to it would vanish with it.
  if (auto s = env->sync_dir(dir); !s) return s.error();
  return std::shared_ptr<LogSegment>(new LogSegment(env, dir, base, std::move(file.value())));
}

ScanResult LogSegment::scan(const File& file, uint64_t base) {
  ScanResult r;
  r.end_position = base;
  auto size = file.size();
  if (!size) {
    r.io = size.error();
    return r;
  }
  r.file_bytes = size.value();
  std::string buf;
  uint64_t buf_offset = 0;  // file offset of buf[0]
  uint64_t offset = 0;
  uint64_t last_indexed = 0;
  bool first = true;
  while (offset < r.file_bytes) {
    size_t want = 256 * 1024;
    const size_t in_buf = static_cast<size_t>(buf_offset + buf.size() - offset);
    std::string_view view(buf.data() + (offset - buf_offset), in_buf);
    RecordView rec;
    size_t frame_bytes = 0, needed = 0;
    FrameStatus fs = decode_frame(view, &rec, &frame_bytes, &needed);
    if (fs == FrameStatus::kIncomplete) {
      const uint64_t remaining = r.file_bytes - offset;
      if (in_buf >= remaining) {
        r.stop_reason = "incomplete frame at the end of the file";
        break;
      }
      want = std::max<size_t>(want, needed);
      const size_t n = static_cast<size_t>(std::min<uint64_t>(want, remaining));
      buf.resize(n);
      buf_offset = offset;
      if (auto s = file.read_at(offset, buf.data(), n); !s) {
        r.io = s;
        break;
      }
      continue;
    }
    if (fs == FrameStatus::kCorrupt) {
      r.stop_reason = "invalid frame (bad type, length or checksum)";
      break;
    }
    if (rec.position != r.end_position) {
      r.stop_reason = "frame out of sequence";
      break;
    }
    if (first || offset - last_indexed >= kIndexIntervalBytes) {
      r.index.push_back({rec.position, offset, rec.arrival_ms});
      last_indexed = offset;
    }
    if (first) r.first_arrival_ms = rec.arrival_ms;
    first = false;
    r.last_arrival_ms = rec.arrival_ms;
    r.end_position = rec.position + 1;
    offset += frame_bytes;
    r.valid_bytes = offset;
  }
  return r;
}

bool LogSegment::load_index(uint64_t file_bytes) {
  auto content = read_file(dir_ + "/" + file_name(base_, "idx"), env_);
  if (!content) return false;
  const std::string& s = content.value();
  constexpr size_t kEntry = sizeof(IndexEntry);
  static_assert(sizeof(IndexEntry) == 24);
  if (s.size() < 8 + 2 * kEntry || (s.size() - 8) % kEntry != 0 || std::memcmp(s.data(), kIndexMagic, 8) != 0)
    return false;
  const size_t n = (s.size() - 8) / kEntry - 1;
  std::vector<IndexEntry> entries(n);
  std::memcpy(entries.data(), s.data() + 8, n * kEntry);
  IndexEntry trailer;
  std::memcpy(&trailer, s.data() + 8 + n * kEntry, kEntry);
  if (trailer.offset != file_bytes || trailer.position <= base_ || entries.front().position != base_ ||
      entries.front().offset != 0)
    return false;
  for (size_t i = 1; i < n; ++i)
    if (entries[i].position <= entries[i - 1].position || entries[i].offset <= entries[i - 1].offset) return false;
  if (!index_matches_log(entries, trailer)) return false;
  index_ = std::move(entries);
  end_ = trailer.position;
  size_ = trailer.offset;
  first_arrival_ = index_.front().arrival_ms;
  last_arrival_ = trailer.arrival_ms;
  return true;
}

// The .idx is a cache without a checksum of its own: every entry must point at a frame carrying its position,
// and the frames from the last entry must end exactly at the trailer's size and position.
bool LogSegment::index_matches_log(const std::vector<IndexEntry>& entries, const IndexEntry& trailer) const {
  char head[kFrameHeaderBytes + kPayloadFixedBytes];
  for (const auto& e : entries) {
    if (e.offset + sizeof head > trailer.offset || !file_->read_at(e.offset, head, sizeof head)) return false;
    uint64_t position = 0;
    std::memcpy(&position, head + kFrameHeaderBytes, sizeof position);
    if (position != e.position) return false;
  }
  std::string tail(static_cast<size_t>(trailer.offset - entries.back().offset), '\0');
  if (!file_->read_at(entries.back().offset, tail.data(), tail.size())) return false;
  std::string_view rest(tail);
  uint64_t expected = entries.back().position;
  while (!rest.empty()) {
    RecordView rec;
    size_t frame_bytes = 0;
    if (decode_frame(rest, &rec, &frame_bytes) != FrameStatus::kOk || rec.position != expected) return false;
    rest.remove_prefix(frame_bytes);
    ++expected;
  }
  return expected == trailer.position;
}

Result<std::shared_ptr<LogSegment>> LogSegment::open(Env* env, const std::string& dir, uint64_t base,
                                                     bool tail, std::vector<std::string>& report) {
  const std::string path = dir + "/" + file_name(base, "log");
  auto file = env->open(path, OpenMode::kReadWrite);
  if (!file) return file.error();
  std::shared_ptr<LogSegment> seg(new LogSegment(env, dir, base, std::move(file.value())));
  auto file_bytes = seg->file_->size();
  if (!file_bytes) return file_bytes.error();
  if (!tail && seg->load_index(file_bytes.value())) {
    seg->synced_size_ = seg->size();
    return seg;
  }
  ScanResult r = scan(*seg->file_, base);
  // A read error is not a torn tail: cutting there would drop records that may be perfectly whole.
  if (!r.io) return r.io.error();
  if (!r.stop_reason.empty()) {
    if (tail) {
      if (auto s = seg->file_->truncate(r.valid_bytes); !s) return s.error();
      report.push_back("event=log_truncated file=" + path + " offset=" + std::to_string(r.valid_bytes) +
                       " dropped_bytes=" + std::to_string(r.file_bytes - r.valid_bytes) + " reason=\"" +
                       r.stop_reason + "\"");
    } else {
      seg->damaged_ = true;
      report.push_back("event=segment_damaged file=" + path + " readable_bytes=" + std::to_string(r.valid_bytes) +
                       " file_bytes=" + std::to_string(r.file_bytes) + " reason=\"" + r.stop_reason + "\"");
    }
  }
  seg->index_ = std::move(r.index);
  seg->end_ = r.end_position;
  seg->size_ = r.valid_bytes;
  seg->first_arrival_ = r.first_arrival_ms;
  seg->last_arrival_ = r.last_arrival_ms;
  seg->last_indexed_offset_ = seg->index_.empty() ? 0 : seg->index_.back().offset;
  // What a previous run wrote may still be only in the page cache; the first sync covers it.
  seg->synced_size_ = 0;
  return seg;
}

IndexEntry LogSegment::seek_position(uint64_t position) const {
  std::lock_guard lock(index_mu_);
  auto it = std::upper_bound(index_.begin(), index_.end(), position,
                             [](uint64_t p, const IndexEntry& e) { return p < e.position; });
  if (it == index_.begin()) return IndexEntry{base_, 0, 0};
  return *std::prev(it);
}

IndexEntry LogSegment::seek_arrival(int64_t arrival_ms) const {
  std::lock_guard lock(index_mu_);
  auto it = std::lower_bound(index_.begin(), index_.end(), arrival_ms,
                             [](const IndexEntry& e, int64_t t) { return e.arrival_ms < t; });
  if (it == index_.begin()) return IndexEntry{base_, 0, 0};
  return *std::prev(it);
}

Status LogSegment::append(const std::string& frames, const std::vector<IndexEntry>& frame_starts,
                          uint64_t new_end, int64_t last_arrival_ms, bool sync_now) {
  const uint64_t start = size();
  if (auto s = file_->write_at(start, frames); !s) return s;
  if (sync_now) {
    if (auto s = file_->sync(); !s) return s;
  }
  publish(frame_starts, start, frames.size(), new_end, last_arrival_ms);
  if (sync_now) synced_size_ = size();
  return Status::Ok();
}

void LogSegment::publish(const std::vector<IndexEntry>& frame_starts, uint64_t start, uint64_t bytes,
                         uint64_t new_end, int64_t last_arrival_ms) {
  {
    std::lock_guard lock(index_mu_);
    for (const auto& f : frame_starts) {
      const uint64_t offset = start + f.offset;
      if (index_.empty() || offset - last_indexed_offset_ >= kIndexIntervalBytes) {
        index_.push_back({f.position, offset, f.arrival_ms});
        last_indexed_offset_ = offset;
      }
    }
  }
  if (empty() && !frame_starts.empty()) first_arrival_.store(frame_starts.front().arrival_ms, std::memory_order_release);
  last_arrival_.store(last_arrival_ms, std::memory_order_release);
  size_.store(start + bytes, std::memory_order_release);
  end_.store(new_end, std::memory_order_release);
}

Status LogSegment::sync() {
  const uint64_t covered = size();
  if (auto s = file_->sync(); !s) return s;
  synced_size_ = covered;
  return Status::Ok();
}

Status LogSegment::repair() {
  const uint64_t visible = size();
  if (auto s = file_->truncate(visible); !s) return s;
  if (synced_size_ < visible) {
    std::string bytes(static_cast<size_t>(visible - synced_size_), '\0');
    if (auto s = file_->read_at(synced_size_, bytes.data(), bytes.size()); !s) return s;
    // Only whole, valid frames go back: the page cache must still hold what readers were served.
    std::string_view rest(bytes);
    while (!rest.empty()) {
      RecordView rec;
      size_t frame_bytes = 0;
      if (decode_frame(rest, &rec, &frame_bytes) != FrameStatus::kOk) {
        return make_error(ErrorCode::kCorruption,
                          "the unsynced tail of " + file_->path() + " no longer holds its frames");
      }
      rest.remove_prefix(frame_bytes);
    }
    if (auto s = file_->write_at(synced_size_, bytes); !s) return s;
  }
  if (auto s = file_->sync(); !s) return s;
  synced_size_ = visible;
  return Status::Ok();
}

Status LogSegment::seal() {
  if (auto s = sync(); !s) return s;
  std::string content(kIndexMagic, 8);
  {
    std::lock_guard lock(index_mu_);
    content.append(reinterpret_cast<const char*>(index_.data()), index_.size() * sizeof(IndexEntry));
  }
  const IndexEntry trailer{end_position(), size(), last_arrival_ms()};
  content.append(reinterpret_cast<const char*>(&trailer), sizeof trailer);
  return write_file_atomically(dir_ + "/" + file_name(base_, "idx"), content, 0600, env_);
}

void LogSegment::remove_files() {
  // Best effort: a file left behind is found again by the next sweep or start (and retention drops it).
  (void)env_->remove(dir_ + "/" + file_name(base_, "idx"));
  (void)env_->remove(dir_ + "/" + file_name(base_, "log"));
}

}  // namespace kinesisd::storage
