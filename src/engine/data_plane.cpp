#include "kinesisd/engine/data_plane.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>

namespace kinesisd::engine {

std::string DataPlane::stream_dir(const StreamMeta& meta) const {
  return options_.data_dir + "/streams/" + meta.region + "/" + meta.name + "." + meta.stream_id;
}

Status DataPlane::open_stream(const StreamMeta& meta) {
  std::lock_guard open_lock(open_mu_);
  std::shared_ptr<StreamRuntime> runtime;
  {
    std::shared_lock lock(mu_);
    auto it = streams_.find(meta.stream_id);
    if (it != streams_.end()) runtime = it->second;
  }
  if (!runtime) {
    runtime = std::make_shared<StreamRuntime>();
    runtime->region = meta.region;
    runtime->name = meta.name;
    runtime->dir = stream_dir(meta);
  }
  const auto present = shards_of(*runtime);
  std::map<uint64_t, std::shared_ptr<Shard>> opened;
  for (const auto& shard_meta : meta.shards) {
    if (present.count(shard_meta.index)) continue;
    std::vector<std::string> report;
    storage::ShardLog::Options log_options;
    log_options.segment_bytes = options_.segment_bytes;
    auto log = storage::ShardLog::open(runtime->dir + "/" + shard_meta.shard_id, log_options, report);
    for (const auto& line : report) spdlog::warn("{} stream={} shard={}", line, meta.name, shard_meta.shard_id);
    if (!log) return log.error();
    const std::string throttle = "Rate exceeded for shard " + shard_meta.shard_id + " in stream " + meta.name +
                                 " under account " + meta.account + ".";
    auto shard = std::make_shared<Shard>(io_, storage_, std::move(log.value()), options_.shard, throttle);
    if (!shard_meta.is_open()) shard->mark_closed();
    opened[shard_meta.index] = std::move(shard);
  }
  std::unique_lock lock(mu_);
  auto& target = streams_[meta.stream_id];
  if (!target) target = runtime;
  for (auto& [index, shard] : opened) target->shards[index] = std::move(shard);
  return Status::Ok();
}

void DataPlane::remove_unlisted_shards(const StreamMeta& meta) {
  const std::string dir = stream_dir(meta);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  std::set<std::string> listed;
  for (const auto& shard : meta.shards) listed.insert(shard.shard_id);
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("shardId-", 0) != 0 || listed.count(name)) continue;
    std::filesystem::remove_all(entry.path(), ec);
    spdlog::warn("event=unlisted_shard_removed stream={} shard={} reason=\"a reshard that did not reach the catalog\"",
                 meta.name, name);
  }
}

std::shared_ptr<Shard> DataPlane::shard(const StreamMeta& meta, uint64_t shard_index) const {
  std::shared_lock lock(mu_);
  auto it = streams_.find(meta.stream_id);
  if (it == streams_.end()) return nullptr;
  auto s = it->second->shards.find(shard_index);
  return s == it->second->shards.end() ? nullptr : s->second;
}

std::map<uint64_t, std::shared_ptr<Shard>> DataPlane::shards_of(const StreamRuntime& rt) const {
  std::shared_lock lock(mu_);
  return rt.shards;
}

std::vector<std::shared_ptr<DataPlane::StreamRuntime>> DataPlane::runtimes() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<StreamRuntime>> out;
  for (const auto& [id, rt] : streams_) out.push_back(rt);
  return out;
}

void DataPlane::sweep(const StreamRegistry& registry, int64_t now_ms) {
  std::set<std::string> live_dirs;
  for (const auto& rt : runtimes()) {
    auto meta = registry.find(rt->region, rt->name, now_ms);
    const bool alive = meta.ok() && stream_dir(meta.value()) == rt->dir &&
                       meta->status(now_ms) != StreamStatus::kDeleting;
    if (!alive) {
      {
        std::unique_lock lock(mu_);
        for (auto it = streams_.begin(); it != streams_.end();)
          it = (it->second == rt) ? streams_.erase(it) : std::next(it);
      }
      std::error_code ec;
      std::filesystem::remove_all(rt->dir, ec);
      spdlog::info("event=stream_files_removed stream={} dir={}", rt->name, rt->dir);
      continue;
    }
    live_dirs.insert(rt->dir);
    const int64_t cutoff = now_ms - static_cast<int64_t>(meta->retention_hours) * 3'600'000;
    for (const auto& [index, shard] : shards_of(*rt)) {
      auto dropped = shard->log().drop_expired(cutoff);
      if (!dropped) {
        spdlog::error("event=retention_failed dir={} error=\"{}\"", shard->log().dir(), dropped.error().message);
      } else if (dropped.value() > 0) {
        spdlog::info("event=segments_expired dir={} count={}", shard->log().dir(), dropped.value());
      }
    }
  }
  // Directories of streams no longer in the catalog (deleted while the server was down, or a crash between the
  // catalog write and the removal).
  std::error_code ec;
  const std::string root = options_.data_dir + "/streams";
  if (!std::filesystem::exists(root, ec)) return;
  for (const auto& region : std::filesystem::directory_iterator(root, ec)) {
    for (const auto& stream : std::filesystem::directory_iterator(region.path(), ec)) {
      if (live_dirs.count(stream.path().string())) continue;
      const std::string name = stream.path().filename().string();
      const auto dot = name.rfind('.');
      if (dot == std::string::npos) continue;
      auto meta = registry.find(region.path().filename().string(), name.substr(0, dot), now_ms);
      if (meta.ok() && meta->stream_id == name.substr(dot + 1)) continue;  // live, not opened yet
      std::filesystem::remove_all(stream.path(), ec);
      spdlog::info("event=orphan_files_removed dir={}", stream.path().string());
    }
  }
}

void DataPlane::remove_shard(const StreamMeta& meta, uint64_t shard_index) {
  std::string dir;
  {
    std::unique_lock lock(mu_);
    auto it = streams_.find(meta.stream_id);
    if (it == streams_.end()) return;
    auto shard = it->second->shards.find(shard_index);
    if (shard == it->second->shards.end()) return;
    dir = shard->second->log().dir();
    it->second->shards.erase(shard);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  spdlog::info("event=closed_shard_expired stream={} shard={}", meta.name, shard_id_for_index(shard_index));
}

void DataPlane::sync_dirty() {
  for (const auto& rt : runtimes())
    for (const auto& [index, shard] : shards_of(*rt)) shard->sync_if_dirty();
}

}  // namespace kinesisd::engine
