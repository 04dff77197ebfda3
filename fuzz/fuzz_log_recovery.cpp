// Log recovery from arbitrary bytes (storage/LogSegment::open, ShardLog::open), then reads of everything.
// The input describes a shard directory of 1-3 segments. Each segment is either raw fuzzer bytes or records that
// are framed with valid checksums (so recovery's deeper checks are reached) and then damaged: bytes flipped,
// cut, zeros or garbage appended. A sealed segment may get an .idx: raw bytes, or one built from its frames.
// Checked besides memory safety, after ShardLog::open succeeds:
//  - reading from the start returns increasing positions, never past end_position(), and ends;
//  - a record appended at end_position() reads back at that position;
//  - opening the directory again gives the same end position (recovery is idempotent).
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kinesisd/storage/log_segment.hpp"
#include "kinesisd/storage/record_frame.hpp"
#include "kinesisd/storage/shard_log.hpp"

using namespace kinesisd::storage;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_log_recovery: %s\n", what);
  std::abort();
}

// A scratch directory for this process, in memory when /dev/shm is there (recovery fsyncs).
// Never destroyed: the atexit handler registered while it is built would run after its destructor.
const std::string& scratch_root() {
  static const std::string& root = *new std::string([] {
    std::string tmpl = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : fs::temp_directory_path().string()) +
                       "/kinesisd-fuzz-log-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) fail("mkdtemp failed");
    std::atexit([] { fs::remove_all(scratch_root()); });
    return tmpl;
  }());
  return root;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put_entry(std::string& out, uint64_t position, uint64_t offset, int64_t arrival) {
  out.append(reinterpret_cast<const char*>(&position), 8);
  out.append(reinterpret_cast<const char*>(&offset), 8);
  out.append(reinterpret_cast<const char*>(&arrival), 8);
}

struct Segment {
  uint64_t base = 0;
  uint64_t end = 0;
  std::string log;
  std::string idx;  // empty: no .idx file
};

Segment make_segment(FuzzedDataProvider& in, uint64_t base, bool sealed) {
  Segment s;
  s.base = base;
  s.end = base;
  if (in.ConsumeBool()) {  // raw bytes
    s.log = in.ConsumeRandomLengthString(4096);
  } else {
    const int records = in.ConsumeIntegralInRange(0, 40);
    int64_t arrival = 1'700'000'000'000;
    std::string index(8, '\0');
    index.replace(0, 8, "KDIDX001");
    for (int i = 0; i < records && in.remaining_bytes() > 0; ++i) {
      const std::string key = in.ConsumeRandomLengthString(64);
      const std::string data = in.ConsumeRandomLengthString(512);
      arrival += in.ConsumeIntegralInRange<int64_t>(in.ConsumeBool() ? -5 : 0, 1000);
      uint64_t position = s.end;
      if (in.ConsumeProbability<float>() < 0.05f) position += in.ConsumeIntegral<uint8_t>();  // out of sequence
      if (i % 8 == 0) put_entry(index, position, s.log.size(), arrival);
      append_frame(RecordView{position, arrival, static_cast<uint8_t>(in.ConsumeIntegralInRange(0, 2)), key, data},
                   s.log);
      s.end = position + 1;
    }
    put_entry(index, s.end, s.log.size(), arrival);
    for (int damage = in.ConsumeIntegralInRange(0, 3); damage > 0 && !s.log.empty(); --damage) {
      const size_t at = in.ConsumeIntegralInRange<size_t>(0, s.log.size() - 1);
      switch (in.ConsumeIntegralInRange(0, 3)) {
        case 0: s.log[at] = static_cast<char>(s.log[at] ^ in.ConsumeIntegralInRange(1, 255)); break;
        case 1: s.log.resize(at); break;
        case 2: s.log.append(in.ConsumeIntegralInRange<size_t>(1, 64), '\0'); break;
        default: s.log += in.ConsumeRandomLengthString(64); break;
      }
    }
    if (sealed && in.ConsumeBool()) s.idx = index;
  }
  if (sealed && s.idx.empty() && in.ConsumeBool()) s.idx = in.ConsumeRandomLengthString(256);
  return s;
}

std::unique_ptr<ShardLog> open_log(const std::string& dir) {
  std::vector<std::string> report;
  auto log = ShardLog::open(dir, ShardLog::Options{1 << 16}, report);
  return log ? std::move(log.value()) : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string dir = scratch_root() + "/shard";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int segments = in.ConsumeIntegralInRange(1, 3);
  uint64_t base = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<uint64_t>(0, 1'000'000);
  for (int i = 0; i < segments; ++i) {
    const Segment s = make_segment(in, base, i + 1 < segments);
    write_file(dir + "/" + LogSegment::file_name(s.base, "log"), s.log);
    if (!s.idx.empty()) write_file(dir + "/" + LogSegment::file_name(s.base, "idx"), s.idx);
    base = in.ConsumeProbability<float>() < 0.1f ? base + in.ConsumeIntegral<uint8_t>() : s.end;
  }

  auto log = open_log(dir);
  if (!log) return 0;
  const uint64_t end = log->end_position();
  if (log->start_position() > end) fail("start position after end position");
  uint64_t from = 0;
  for (int reads = 0; from < end; ++reads) {
    if (reads > 10'000) fail("reading never ends");
    auto r = log->read(from, in.ConsumeIntegralInRange<size_t>(1, 100), in.ConsumeIntegralInRange<size_t>(1, 1 << 16));
    if (!r) break;  // a damaged segment: reads must fail rather than skip, which is allowed
    if (r->records.empty()) break;
    // Increasing rather than consecutive: the fuzzer may leave gaps between segments (see docs/reliability.md).
    uint64_t at_least = std::max(from, log->start_position());
    for (const auto& rec : r->records) {
      if (rec.position < at_least || rec.position >= end) {
        std::fprintf(stderr, "read(%llu) gave position %llu; expected at least %llu and below the end %llu\n",
                     static_cast<unsigned long long>(from), static_cast<unsigned long long>(rec.position),
                     static_cast<unsigned long long>(at_least), static_cast<unsigned long long>(end));
        for (const auto& e : fs::directory_iterator(dir)) {
          std::fprintf(stderr, "  %s %llu bytes\n", e.path().filename().c_str(),
                       static_cast<unsigned long long>(e.file_size()));
        }
        fail("read positions not increasing or past the end");
      }
      at_least = rec.position + 1;
    }
    if (r->next_position <= from) fail("read made no progress");
    from = r->next_position;
  }
  (void)log->position_at(in.ConsumeIntegral<int64_t>());
  (void)log->arrival_of(in.ConsumeIntegralInRange<uint64_t>(0, end + 1));

  const int64_t arrival = std::max<int64_t>(log->last_arrival_ms(), 1'700'000'000'000);
  if (log->append({RecordView{end, arrival, 0, "key", "appended"}}, false)) {
    auto r = log->read(end, 1, 1 << 20);
    if (!r || r->records.size() != 1 || r->records[0].position != end || r->records[0].data != "appended") {
      fail("a record appended after recovery does not read back");
    }
    log.reset();
    auto again = open_log(dir);
    if (!again || again->end_position() != end + 1) fail("reopening the recovered log changed its end position");
  }
  return 0;
}
