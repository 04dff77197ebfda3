// ChannelMeta (engine/channel_meta.hpp), and StreamRegistry's channels: created, changed and deleted under the
// registry lock, so the checks against the source stream (exists, ACTIVE, ON_DEMAND) and DeleteStream's refusal
// of a stream with channels cannot race.
#include <algorithm>

#include "kinesisd/engine/stream_registry.hpp"
#include "kinesisd/util/ids.hpp"

namespace kinesisd::engine {
namespace {

// AWS: "Deliveries per stream: 2 — one delivery to streaming tables on Apache Iceberg and one delivery to a
// general purpose Amazon S3 bucket" (not adjustable). S3 Tables are refused by this server, so one S3
// channel.
constexpr size_t kS3ChannelsPerStream = 1;

bool channel_live(const ChannelMeta& c, int64_t now_ms) {
  return c.status(now_ms) != ChannelStatus::kGone;
}

bool reads_stream(const ChannelMeta& c, const std::string& stream_name) {
  for (const auto& s : c.sources)
    if (s.stream_name == stream_name) return true;
  return false;
}

}  // namespace

// --- ChannelMeta ---

const char* to_string(ChannelStatus s) {
  switch (s) {
    case ChannelStatus::kCreating:
      return "CREATING";
    case ChannelStatus::kActive:
      return "ACTIVE";
    case ChannelStatus::kUpdating:
      return "UPDATING";
    case ChannelStatus::kDeleting:
      return "DELETING";
    case ChannelStatus::kGone:
      return "DELETED";
  }
  return "ACTIVE";
}

ChannelStatus ChannelMeta::status(int64_t now_ms) const {
  if (delete_at_ms != 0) return now_ms >= delete_at_ms ? ChannelStatus::kGone : ChannelStatus::kDeleting;
  if (now_ms < ready_at_ms) return ChannelStatus::kCreating;
  if (now_ms < updating_until_ms) return ChannelStatus::kUpdating;
  return ChannelStatus::kActive;
}

bool ChannelMeta::delivering(int64_t now_ms) const {
  const auto st = status(now_ms);
  return st == ChannelStatus::kActive || st == ChannelStatus::kUpdating;
}

std::string ChannelMeta::arn() const {
  return channel_arn(region, account, channel_id);
}

std::string channel_arn(const std::string& region, const std::string& account,
                        const std::string& channel_id) {
  return "arn:aws:kinesis:" + region + ":" + account + ":channel/" + channel_id;
}

std::optional<ChannelArnParts> parse_channel_arn(const std::string& arn) {
  // arn:<partition>:kinesis:<region>:<account>:channel/<id>
  std::string parts[5];
  size_t start = 0;
  for (auto& part : parts) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    part = arn.substr(start, colon - start);
    start = colon + 1;
  }
  const std::string resource = arn.substr(start);
  if (parts[0] != "arn" || parts[1].rfind("aws", 0) != 0 || parts[2] != "kinesis") return std::nullopt;
  if (resource.rfind("channel/", 0) != 0) return std::nullopt;
  std::string id = resource.substr(8);
  if (id.empty() || id.find('/') != std::string::npos) return std::nullopt;
  return ChannelArnParts{parts[3], parts[4], std::move(id)};
}

std::string bucket_name(const std::string& bucket_arn) {
  const auto at = bucket_arn.find(":::");
  if (bucket_arn.rfind("arn:", 0) != 0 || at == std::string::npos) return {};
  return bucket_arn.substr(at + 3);
}

// --- StreamRegistry's channels ---

std::string StreamRegistry::channel_not_found_message(const std::string& channel_id) const {
  return "Channel " + channel_id + " under account " + limits_.account + " not found.";
}

size_t StreamRegistry::channels_reading(const std::string& region, const std::string& stream_name,
                                        int64_t now_ms) const {
  auto r = channels_.find(region);
  if (r == channels_.end()) return 0;
  size_t n = 0;
  for (const auto& [id, c] : r->second)
    n += channel_live(*c, now_ms) && reads_stream(*c, stream_name) ? 1 : 0;
  return n;
}

Result<ChannelMeta> StreamRegistry::create_channel(const std::string& region, ChannelMeta channel,
                                                   int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto& channels = channels_[region];
  std::erase_if(channels, [&](const auto& entry) { return !channel_live(*entry.second, now_ms); });
  for (const auto& [id, c] : channels) {
    if (c->name == channel.name) {
      return make_error(ErrorCode::kResourceInUse,
                        "Channel " + channel.name + " under account " + limits_.account + " already exists.");
    }
  }
  for (auto& source : channel.sources) {
    const StreamMeta* s = live(region, source.stream_name, now_ms);
    if (s == nullptr) return make_error(ErrorCode::kResourceNotFound, not_found_message(source.stream_name));
    const auto st = s->status(now_ms);
    if (st != StreamStatus::kActive && st != StreamStatus::kUpdating) {
      return make_error(ErrorCode::kResourceInUse, "Stream " + s->name + " under account " + s->account +
                                                       " not ACTIVE, instead in state " + to_string(st));
    }
    if (s->mode != StreamMode::kOnDemand) {
      return make_error(ErrorCode::kValidation,
                        "Stream " + s->name + " under account " + s->account +
                            " is in PROVISIONED mode. This API is only supported for data "
                            "streams with the on-demand capacity mode.");
    }
    if (channels_reading(region, s->name, now_ms) >= kS3ChannelsPerStream) {
      return make_error(
          ErrorCode::kLimitExceeded,
          "Stream " + s->name + " under account " + s->account +
              " already has the maximum of 1 channel delivering to a general purpose Amazon S3 bucket.");
    }
    source.stream_id = s->stream_id;
    source.stream_created_ms = s->created_ms;
  }
  if (channels.size() >= limits_.channel_limit) {
    return make_error(ErrorCode::kLimitExceeded,
                      "This request would exceed the limit of " + std::to_string(limits_.channel_limit) +
                          " channels for the account " + limits_.account + " in " + region + ".");
  }
  channel.region = region;
  channel.account = limits_.account;
  if (channel.channel_id.empty()) channel.channel_id = random_lower_alnum(16);
  channel.created_ms = now_ms;
  channel.ready_at_ms = now_ms + limits_.create_delay_ms;
  channels[channel.channel_id] = std::make_shared<const ChannelMeta>(channel);
  ++version_;
  return channel;
}

Status StreamRegistry::update_channel(const std::string& region, const std::string& channel_id,
                                      int64_t now_ms, const std::function<Status(ChannelMeta&)>& change) {
  std::lock_guard lock(mu_);
  auto& channels = channels_[region];
  auto it = channels.find(channel_id);
  if (it == channels.end() || !channel_live(*it->second, now_ms)) {
    return make_error(ErrorCode::kResourceNotFound, channel_not_found_message(channel_id));
  }
  auto changed = std::make_shared<ChannelMeta>(*it->second);
  if (auto s = change(*changed); !s) return s;
  it->second = std::move(changed);
  ++version_;
  return Status::Ok();
}

Status StreamRegistry::delete_channel(const std::string& region, const std::string& channel_id,
                                      int64_t now_ms) {
  const int64_t delay = limits_.delete_delay_ms;
  return update_channel(region, channel_id, now_ms, [&](ChannelMeta& c) {
    if (c.delete_at_ms == 0) c.delete_at_ms = now_ms + delay;
    return Status::Ok();
  });
}

Result<std::shared_ptr<const ChannelMeta>> StreamRegistry::find_channel(const std::string& region,
                                                                        const std::string& channel_id,
                                                                        int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto r = channels_.find(region);
  if (r != channels_.end()) {
    auto it = r->second.find(channel_id);
    if (it != r->second.end() && channel_live(*it->second, now_ms)) return it->second;
  }
  return make_error(ErrorCode::kResourceNotFound, channel_not_found_message(channel_id));
}

std::vector<std::shared_ptr<const ChannelMeta>> StreamRegistry::list_channels(const std::string& region,
                                                                              int64_t now_ms) const {
  std::vector<std::shared_ptr<const ChannelMeta>> out;
  {
    std::lock_guard lock(mu_);
    auto r = channels_.find(region);
    if (r != channels_.end())
      for (const auto& [id, c] : r->second)
        if (channel_live(*c, now_ms)) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a->name != b->name ? a->name < b->name : a->channel_id < b->channel_id;
  });
  return out;
}

std::vector<std::shared_ptr<const ChannelMeta>> StreamRegistry::all_channels(int64_t now_ms) const {
  std::vector<std::shared_ptr<const ChannelMeta>> out;
  std::lock_guard lock(mu_);
  for (const auto& [region, channels] : channels_)
    for (const auto& [id, c] : channels)
      if (channel_live(*c, now_ms)) out.push_back(c);
  return out;
}

size_t StreamRegistry::stream_channel_count(const std::string& region, const std::string& stream_name,
                                            int64_t now_ms) const {
  std::lock_guard lock(mu_);
  return channels_reading(region, stream_name, now_ms);
}

}  // namespace kinesisd::engine
