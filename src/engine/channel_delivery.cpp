#include "kinesisd/engine/channel_delivery.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "kinesisd/engine/channel_output.hpp"
#include "kinesisd/engine/sequence_number.hpp"
#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/util/base64.hpp"

namespace kinesisd::engine {
namespace {

constexpr size_t kRecordsPerRead = 10'000;
constexpr size_t kScanBytesPerRead = 4 * 1024 * 1024;

std::string cursor_key(const StreamMeta& s, uint64_t shard_index) {
  return s.stream_id + "/" + std::to_string(shard_index);
}

// One dead-letter line: the record and why it was not delivered.
void dead_letter_line(const ChannelMeta& c, const StreamMeta& s, const ShardMeta& shard,
                      const std::string& sequence, const storage::StoredRecord& r, const std::string& why,
                      std::string& out) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  auto put = [&](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  put("channelName", c.name);
  put("channelId", c.channel_id);
  put("streamARN", s.arn());
  put("shardId", shard.shard_id);
  put("sequenceNumber", sequence);
  w.Key("approximateArrivalTimestamp");
  w.Int64(r.arrival_ms);
  put("partitionKey", r.partition_key);
  put("errorCode", "InvalidRecordFormat");
  put("errorMessage", why);
  put("data", base64_encode(r.data));
  w.EndObject();
  out.append(buffer.GetString(), buffer.GetSize());
  out.push_back('\n');
}

}  // namespace

std::string ChannelDelivery::checkpoint_path(const ChannelMeta& c) const {
  return options_.state_dir + "/" + c.region + "/" + c.channel_id + ".json";
}

void ChannelDelivery::load_checkpoint(const ChannelMeta& c, State& state) const {
  state.loaded = true;
  auto content = storage::read_file(checkpoint_path(c));
  if (!content) return;  // none yet: delivery starts where the channel became ACTIVE
  rapidjson::Document doc;
  doc.Parse(content->c_str(), content->size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("positions") || !doc["positions"].IsObject()) {
    spdlog::error("event=channel_checkpoint_unreadable channel={} file={}", c.channel_id, checkpoint_path(c));
    return;
  }
  for (auto it = doc["positions"].MemberBegin(); it != doc["positions"].MemberEnd(); ++it) {
    if (!it->value.IsUint64()) continue;
    Cursor cursor;
    cursor.position = cursor.scanned = it->value.GetUint64();
    state.cursors[it->name.GetString()] = cursor;
  }
}

Status ChannelDelivery::save_checkpoint(const ChannelMeta& c, const State& state) const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("channel");
  w.String(c.channel_id.c_str());
  w.Key("positions");
  w.StartObject();
  for (const auto& [key, cursor] : state.cursors) {
    w.Key(key.c_str());
    w.Uint64(cursor.position);
  }
  w.EndObject();
  w.EndObject();
  const std::string path = checkpoint_path(c);
  if (auto s = storage::make_directories(std::filesystem::path(path).parent_path().string()); !s) return s;
  return storage::write_file_atomically(path, std::string(buffer.GetString(), buffer.GetSize()));
}

Status ChannelDelivery::write_object(const std::string& bucket_arn, const std::string& key,
                                     const std::string& content) const {
  const std::filesystem::path path =
      std::filesystem::path(options_.output_dir) / safe_relative_key(bucket_name(bucket_arn)) / safe_relative_key(key);
  if (auto s = storage::make_directories(path.parent_path().string()); !s) return s;
  return storage::write_file_atomically(path.string(), content, 0644);  // as an S3 reader would read it
}

bool ChannelDelivery::deliver_shard(const ChannelMeta& c, const ChannelSource& source, const StreamMeta& s,
                                    const ShardMeta& shard, const storage::ShardLog& log, uint64_t end,
                                    Cursor& cursor) {
  const uint64_t created_secs = static_cast<uint64_t>(shard.created_ms / 1000);
  const RecordCipher* cipher = data_.cipher();
  while (cursor.position < end) {
    // One object: records from the cursor up to about object_bytes (at least one).
    std::vector<storage::StoredRecord> records;
    size_t bytes = 0;
    uint64_t next = cursor.position;
    while (next < end && bytes < options_.object_bytes) {
      auto read = log.read(next, kRecordsPerRead, options_.object_bytes - bytes);
      if (!read) {
        spdlog::error("event=channel_read_failed channel={} shard={} error=\"{}\"", c.channel_id,
                      shard.shard_id, read.error().message);
        return false;
      }
      if (read->records.empty()) break;
      bool past_end = false;
      for (auto& r : read->records) {
        if (r.position >= end) {
          past_end = true;
          break;
        }
        bytes += r.partition_key.size() + r.data.size();
        next = r.position + 1;
        records.push_back(std::move(r));
      }
      if (past_end) break;
    }
    if (records.empty()) return true;
    const std::string first_sequence =
        SequenceNumber::of_record(created_secs, shard.index, records.front().position).to_string();
    const int64_t first_arrival = records.front().arrival_ms;
    std::string content, dead;
    for (auto& r : records) {
      if (r.flags & storage::kFlagEncrypted) {
        auto opened = cipher
                          ? cipher->open_record(r.position, r.data)
                          : Result<RecordCipher::OpenedRecord>(make_error(ErrorCode::kInternal, "no cipher"));
        if (!opened) {
          spdlog::error("event=channel_record_auth_failed channel={} shard={} position={}", c.channel_id,
                        shard.shard_id, r.position);
          return false;  // never deliver a record that fails authentication; retried next round
        }
        r.partition_key = std::move(opened->partition_key);
        r.data = std::move(opened->data);
      }
      std::string why;
      if (!append_record(source.record_format, r.data, content, &why)) {
        dead_letter_line(c, s, shard,
                         SequenceNumber::of_record(created_secs, shard.index, r.position).to_string(), r, why,
                         dead);
      }
    }
    const std::string unique = "-" + shard.shard_id + "-" + first_sequence;
    if (!content.empty()) {
      auto packed = compress(c.compression, content);
      const std::string key =
          render_key(c.key_template, {c.name, c.channel_id, s.name, first_arrival,
                                      object_extension(source.record_format, c.compression), unique});
      Status written = packed ? write_object(c.bucket_arn, key, packed.value()) : Status(packed.error());
      if (!written) {
        spdlog::error("event=channel_delivery_failed channel={} key={} error=\"{}\"", c.channel_id, key,
                      written.error().message);
        return false;
      }
      spdlog::info(
          "event=channel_delivered channel={} bucket={} key={} records={}{}", c.channel_id,
          bucket_name(c.bucket_arn), key, records.size(),
          c.logging_enabled ? " log_group=" + c.log_group + " log_stream=" + c.log_stream : std::string());
    }
    if (!dead.empty()) {
      const std::string key =
          dated_prefix(c.dlq_prefix, first_arrival) + c.name + "-" + c.channel_id + unique + ".json";
      if (auto written = write_object(c.dlq_bucket_arn, key, dead); !written) {
        spdlog::error("event=channel_dead_letter_failed channel={} key={} error=\"{}\"", c.channel_id, key,
                      written.error().message);
        return false;
      }
      spdlog::warn("event=channel_dead_letter channel={} bucket={} key={}", c.channel_id,
                   bucket_name(c.dlq_bucket_arn), key);
    }
    cursor.position = next;
  }
  cursor.scanned = std::max(cursor.scanned, cursor.position);
  cursor.pending_bytes = 0;
  return true;
}

bool ChannelDelivery::run_channel(const ChannelMeta& c, State& state, int64_t now_ms) {
  if (!state.loaded) load_checkpoint(c, state);
  const int64_t freshness_ms =
      options_.freshness_override_ms > 0 ? options_.freshness_override_ms : c.freshness_seconds * 1000;
  bool moved = false;
  for (const auto& source : c.sources) {
    auto ref = registry_.find_ref(c.region, source.stream_name, now_ms);
    if (!ref || (*ref)->stream_id != source.stream_id) continue;
    const StreamMeta& s = **ref;
    std::set<std::string> finished;  // shard ids delivered to their end (children may start)
    auto parent_done = [&](const std::string& parent) {
      if (parent.empty() || finished.count(parent)) return true;
      return std::none_of(s.shards.begin(), s.shards.end(),
                          [&](const ShardMeta& m) { return m.shard_id == parent; });
    };
    for (const auto& shard : s.shards) {  // ordered by index: parents come before their children
      if (!parent_done(shard.parent_shard_id) || !parent_done(shard.adjacent_parent_shard_id)) continue;
      auto actor = data_.shard(s, shard.index);
      if (!actor) continue;
      const auto& log = actor->log();
      const std::string key = cursor_key(s, shard.index);
      auto found = state.cursors.find(key);
      if (found == state.cursors.end()) {
        auto start =
            log.position_at(c.ready_at_ms);  // no backfill: from the first record of the ACTIVE channel
        if (!start) continue;
        found = state.cursors.emplace(key, Cursor{start.value(), start.value(), 0}).first;
        moved = true;
      }
      Cursor& cursor = found->second;
      if (cursor.position < log.start_position()) {
        spdlog::warn("event=channel_records_expired channel={} shard={} from={} to={}", c.channel_id,
                     shard.shard_id, cursor.position, log.start_position());
        cursor.position = cursor.scanned = log.start_position();
        cursor.pending_bytes = 0;
        moved = true;
      }
      uint64_t end = log.end_position();
      if (shard.end_position) end = std::min(end, *shard.end_position);
      if (cursor.position < end) {
        while (cursor.scanned < end && cursor.pending_bytes < options_.object_bytes) {
          auto read = log.read(cursor.scanned, kRecordsPerRead, kScanBytesPerRead);
          if (!read || read->records.empty()) break;
          cursor.pending_bytes += read->bytes;
          cursor.scanned = read->next_position;
        }
        const auto oldest = log.arrival_of(cursor.position);
        const bool due =
            cursor.pending_bytes >= options_.object_bytes || (oldest && now_ms - *oldest >= freshness_ms);
        if (due) {
          const uint64_t before = cursor.position;
          deliver_shard(c, source, s, shard, log, end, cursor);
          moved = moved || cursor.position != before;
        }
      }
      if (shard.end_position && cursor.position >= *shard.end_position) finished.insert(shard.shard_id);
    }
  }
  return moved;
}

void ChannelDelivery::forget_gone(const std::map<std::string, const ChannelMeta*>& live) {
  for (auto it = states_.begin(); it != states_.end();) {
    if (live.count(it->first)) {
      ++it;
      continue;
    }
    it = states_.erase(it);
  }
  // Checkpoints of channels that are gone (also those deleted while the server was down).
  std::error_code ec;
  if (!std::filesystem::exists(options_.state_dir, ec)) return;
  for (const auto& region : std::filesystem::directory_iterator(options_.state_dir, ec)) {
    for (const auto& file : std::filesystem::directory_iterator(region.path(), ec)) {
      if (live.count(file.path().stem().string())) continue;
      std::filesystem::remove(file.path(), ec);
      spdlog::info("event=channel_checkpoint_removed file={}", file.path().string());
    }
  }
}

void ChannelDelivery::run(int64_t now_ms) {
  const auto channels = registry_.all_channels(now_ms);
  std::map<std::string, const ChannelMeta*> live;
  for (const auto& c : channels) live[c->channel_id] = c.get();
  if (!swept_ ||
      std::any_of(states_.begin(), states_.end(), [&](const auto& e) { return !live.count(e.first); })) {
    forget_gone(live);
    swept_ = true;
  }
  for (const auto& c : channels) {
    if (!c->delivering(now_ms)) continue;
    State& state = states_[c->channel_id];
    if (run_channel(*c, state, now_ms)) {
      if (auto s = save_checkpoint(*c, state); !s) {
        spdlog::error("event=channel_checkpoint_failed channel={} error=\"{}\"", c->channel_id,
                      s.error().message);
      }
    }
  }
}

}  // namespace kinesisd::engine
