#include "kinesisd/engine/stream_registry.hpp"

#include "kinesisd/engine/catalog_codec.hpp"
#include "kinesisd/util/ids.hpp"

namespace kinesisd::engine {
namespace {

constexpr int64_t kOnDemandShards = 4;

}  // namespace

std::string StreamRegistry::not_found_message(const std::string& name) const {
  return "Stream " + name + " under account " + limits_.account + " not found.";
}

const StreamMeta* StreamRegistry::live(const std::string& region, const std::string& name, int64_t now_ms) const {
  auto r = regions_.find(region);
  if (r == regions_.end()) return nullptr;
  auto s = r->second.find(name);
  if (s == r->second.end() || s->second->status(now_ms) == StreamStatus::kGone) return nullptr;
  return s->second.get();
}

Status StreamRegistry::create_stream(const std::string& region, const CreateStreamRequest& req, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (live(region, req.name, now_ms) != nullptr) {
    return make_error(ErrorCode::kResourceInUse,
                      "Stream " + req.name + " under account " + limits_.account + " already exists.");
  }
  int64_t shard_count = 0;
  if (req.mode == StreamMode::kOnDemand) {
    if (req.shard_count) {
      return make_error(ErrorCode::kInvalidArgument, "ShardCount cannot be specified for a stream in ON_DEMAND mode.");
    }
    shard_count = kOnDemandShards;
  } else {
    if (!req.shard_count) {
      return make_error(ErrorCode::kInvalidArgument, "ShardCount is required for a stream in PROVISIONED mode.");
    }
    if (req.record_distribution == "AUTO") {
      return make_error(ErrorCode::kInvalidArgument,
                        "RecordDistributionStrategy AUTO is only supported for streams in ON_DEMAND mode.");
    }
    if (req.warm_throughput_mibps && *req.warm_throughput_mibps > 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "WarmThroughputMiBps can only be specified for a stream in ON_DEMAND mode.");
    }
    shard_count = *req.shard_count;
    if (shard_count < 1) {
      return make_error(ErrorCode::kInvalidArgument, "ShardCount must be at least 1.");
    }
  }

  uint64_t creating = 0, provisioned_shards = 0, on_demand_streams = 0;
  for (const auto& [name, s] : regions_[region]) {
    const auto st = s->status(now_ms);
    if (st == StreamStatus::kGone) continue;
    if (st == StreamStatus::kCreating) ++creating;
    if (s->mode == StreamMode::kOnDemand) {
      ++on_demand_streams;
    } else {
      provisioned_shards += s->open_shard_count();
    }
  }
  if (creating >= limits_.max_creating_streams) {
    return make_error(ErrorCode::kLimitExceeded,
                      "This request would exceed the limit of " + std::to_string(limits_.max_creating_streams) +
                          " streams in the CREATING state for the account " + limits_.account + " in " + region +
                          ". Wait for a stream to become ACTIVE and try again.");
  }
  if (req.mode == StreamMode::kProvisioned &&
      provisioned_shards + static_cast<uint64_t>(shard_count) > limits_.shard_limit) {
    return make_error(
        ErrorCode::kLimitExceeded,
        "This request would exceed the shard limit for the account " + limits_.account + " in " + region +
            ". Current shard count for the account: " + std::to_string(provisioned_shards) +
            ". Limit: " + std::to_string(limits_.shard_limit) +
            ". Number of additional shards that would have resulted from this request: " +
            std::to_string(shard_count) +
            ". Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/"
            "aws_service_limits.html) for current limits and how to request higher limits.");
  }
  if (req.mode == StreamMode::kOnDemand && on_demand_streams + 1 > limits_.on_demand_stream_limit) {
    return make_error(ErrorCode::kLimitExceeded,
                      "This request would exceed the on-demand stream count limit for the account " +
                          limits_.account + " in " + region + ". Current on-demand stream count for the account: " +
                          std::to_string(on_demand_streams) +
                          ". Limit: " + std::to_string(limits_.on_demand_stream_limit) + ".");
  }

  StreamMeta s;
  s.name = req.name;
  s.region = region;
  s.account = limits_.account;
  s.stream_id = random_lower_alnum(20) + "-" + random_lower_alnum(3);
  s.created_ms = now_ms;
  s.ready_at_ms = now_ms + limits_.create_delay_ms;
  s.mode = req.mode;
  s.record_distribution = req.record_distribution;
  s.tags = req.tags;
  if (req.max_record_size_kib) s.max_record_size_kib = static_cast<int>(*req.max_record_size_kib);
  if (req.mode == StreamMode::kOnDemand && req.warm_throughput_mibps)
    s.warm_throughput_mibps = req.warm_throughput_mibps;
  const auto ranges = split_evenly(static_cast<uint64_t>(shard_count));
  for (uint64_t i = 0; i < ranges.size(); ++i) {
    ShardMeta shard;
    shard.index = i;
    shard.shard_id = shard_id_for_index(i);
    shard.hash_range = ranges[i];
    shard.created_ms = now_ms;
    s.shards.push_back(std::move(shard));
  }
  s.next_shard_index = ranges.size();
  regions_[region][req.name] = std::make_shared<const StreamMeta>(std::move(s));
  ++version_;
  return Status::Ok();
}

Status StreamRegistry::delete_stream(const std::string& region, const std::string& name, int64_t now_ms) {
  std::lock_guard lock(mu_);
  const StreamMeta* s = live(region, name, now_ms);
  if (s == nullptr) return make_error(ErrorCode::kResourceNotFound, not_found_message(name));
  // AWS: "A stream cannot be deleted while it has active channels." (DeleteChannel's documentation)
  if (const size_t channels = channels_reading(region, name, now_ms); channels > 0) {
    return make_error(ErrorCode::kResourceInUse, "Stream " + name + " under account " + limits_.account +
                                                     " is used by " + std::to_string(channels) +
                                                     " channel(s). Delete them before deleting the stream.");
  }
  if (s->delete_at_ms == 0) {
    auto changed = std::make_shared<StreamMeta>(*s);
    changed->delete_at_ms = now_ms + limits_.delete_delay_ms;
    regions_[region][name] = std::move(changed);
    ++version_;
  }
  return Status::Ok();
}

Status StreamRegistry::update_stream(const std::string& region, const std::string& name, int64_t now_ms,
                                     const std::function<Status(StreamMeta&)>& change) {
  std::lock_guard lock(mu_);
  const StreamMeta* current = live(region, name, now_ms);
  if (current == nullptr) return make_error(ErrorCode::kResourceNotFound, not_found_message(name));
  auto changed = std::make_shared<StreamMeta>(*current);
  if (auto s = change(*changed); !s) return s;
  regions_[region][name] = std::move(changed);
  ++version_;
  return Status::Ok();
}

AccountSettings StreamRegistry::account_settings(const std::string& region) const {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(region);
  return it == accounts_.end() ? AccountSettings{} : it->second;
}

Status StreamRegistry::update_account_settings(const std::string& region,
                                               const std::function<Status(AccountSettings&)>& change) {
  std::lock_guard lock(mu_);
  AccountSettings copy = accounts_.count(region) ? accounts_[region] : AccountSettings{};
  if (auto s = change(copy); !s) return s;
  accounts_[region] = copy;
  ++version_;
  return Status::Ok();
}

Result<StreamMeta> StreamRegistry::find(const std::string& region, const std::string& name, int64_t now_ms) const {
  auto ref = find_ref(region, name, now_ms);
  if (!ref) return ref.error();
  return *ref.value();
}

Result<std::shared_ptr<const StreamMeta>> StreamRegistry::find_ref(const std::string& region, const std::string& name,
                                                                   int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto r = regions_.find(region);
  if (r != regions_.end()) {
    auto s = r->second.find(name);
    if (s != r->second.end() && s->second->status(now_ms) != StreamStatus::kGone) return s->second;
  }
  return make_error(ErrorCode::kResourceNotFound, not_found_message(name));
}

std::vector<StreamMeta> StreamRegistry::list(const std::string& region, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  std::vector<StreamMeta> out;
  auto r = regions_.find(region);
  if (r == regions_.end()) return out;
  for (const auto& [name, s] : r->second)
    if (s->status(now_ms) != StreamStatus::kGone) out.push_back(*s);
  return out;
}

std::vector<StreamMeta> StreamRegistry::all(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  std::vector<StreamMeta> out;
  for (const auto& [region, streams] : regions_)
    for (const auto& [name, s] : streams)
      if (s->status(now_ms) != StreamStatus::kGone) out.push_back(*s);
  return out;
}

uint64_t StreamRegistry::open_provisioned_shards(const std::string& region, int64_t now_ms) const {
  uint64_t n = 0;
  for (const auto& s : list(region, now_ms))
    if (s.mode == StreamMode::kProvisioned) n += s.open_shard_count();
  return n;
}

std::string StreamRegistry::snapshot(uint64_t* version) const {
  std::lock_guard lock(mu_);
  if (version) *version = version_.load();
  std::vector<const StreamMeta*> all;
  for (const auto& [region, streams] : regions_)
    for (const auto& [name, s] : streams) all.push_back(s.get());
  std::vector<const ChannelMeta*> channels;
  for (const auto& [region, by_id] : channels_)
    for (const auto& [id, c] : by_id) channels.push_back(c.get());
  return encode_catalog(all, accounts_, channels);
}

Status StreamRegistry::load(const std::string& json) {
  std::map<std::string, AccountSettings> accounts;
  std::vector<ChannelMeta> channels;
  auto streams = decode_catalog(json, &accounts, &channels);
  if (!streams.ok()) return streams.error();
  std::lock_guard lock(mu_);
  regions_.clear();
  accounts_ = std::move(accounts);
  channels_.clear();
  for (auto& c : channels) {
    c.account = limits_.account;
    const std::string region = c.region, id = c.channel_id;
    channels_[region][id] = std::make_shared<const ChannelMeta>(std::move(c));
  }
  for (auto& s : streams.value()) {
    s.account = limits_.account;
    auto& slot = regions_[s.region][s.name];
    slot = std::make_shared<const StreamMeta>(std::move(s));
  }
  return Status::Ok();
}

}  // namespace kinesisd::engine
