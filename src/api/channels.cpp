// CreateChannel, DescribeChannel, UpdateChannel, DeleteChannel, ListChannels: channels that deliver a
// stream's records to a general purpose S3 bucket, emulated by a local directory (engine/channel_delivery).
// Channels live in the registry with the streams (one catalog, persisted before the answer), go CREATING ->
// ACTIVE, UPDATING -> ACTIVE and DELETING -> gone after the configured delays.
#include <algorithm>
#include <tuple>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/channel_support.hpp"
#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/api/handlers.hpp"

namespace kinesisd::api {
namespace {

constexpr int64_t kListDefault = 100;  // AWS: "The default value is 100. If you specify a value greater than
constexpr int64_t kListMax = 100;      // 100, at most 100 results are returned."
constexpr int64_t kNextTokenTtlMs = 300'000;

Output description_output(const engine::ChannelMeta& c, int64_t now_ms) {
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  out.AddMember("ChannelDescription", rapidjson::Value(rapidjson::kObjectType), alloc);
  write_channel_description(c, now_ms, out["ChannelDescription"], alloc);
  return out;
}

// True when a StreamFilter entry names one of the channel's sources (and its creation time, when given).
bool matches(const engine::ChannelMeta& c, const rapidjson::Value& filters) {
  for (const auto& f : filters.GetArray()) {
    const std::string arn = *get_string(f, "StreamARN");
    const auto created = get_int(f, "StreamCreationTimestamp");
    for (const auto& s : c.sources) {
      if (engine::stream_arn(c.region, c.account, s.stream_name) != arn) continue;
      // Timestamps arrive as epoch milliseconds; the wire carries seconds, so compare whole seconds.
      if (!created || *created / 1000 == s.stream_created_ms / 1000) return true;
    }
  }
  return false;
}

}  // namespace

KINESISD_HANDLER(create_channel) {
  auto channel = channel_from_request(services, ctx, in);
  if (!channel) co_return channel.error();
  auto created = services.registry->create_channel(ctx.region, std::move(channel.value()), ctx.now_ms);
  if (!created) co_return created.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return description_output(created.value(), ctx.now_ms);
}

KINESISD_HANDLER(describe_channel) {
  auto channel = resolve_channel(services, ctx, in);
  if (!channel) co_return channel.error();
  co_return description_output(**channel, ctx.now_ms);
}

// Only DataFreshnessInSeconds and LoggingConfiguration can change; the channel must be ACTIVE, and is
// UPDATING for the configured update delay afterwards.
KINESISD_HANDLER(update_channel) {
  auto channel = resolve_channel(services, ctx, in);
  if (!channel) co_return channel.error();
  const auto* s3 = get_object(in, "S3DestinationConfiguration");
  const auto* logging = get_object(in, "LoggingConfiguration");
  if (get_object(in, "S3TablesDestinationConfiguration")) {
    co_return make_error(ErrorCode::kInvalidArgument,
                         "Channel " + (*channel)->name +
                             " delivers to a general purpose Amazon S3 bucket. Use "
                             "S3DestinationConfiguration to change its data freshness.");
  }
  if (!s3 && !logging) {
    co_return make_error(
        ErrorCode::kInvalidArgument,
        "Specify S3DestinationConfiguration or LoggingConfiguration: nothing else can be updated.");
  }
  std::optional<int64_t> freshness;
  if (s3) {
    freshness = *get_int(*s3, "DataFreshnessInSeconds");
    if (auto ok = check_data_freshness(*freshness); !ok) co_return ok.error();
  }
  engine::ChannelMeta updated;
  const int64_t delay = services.registry->limits().update_delay_ms;
  auto s = services.registry->update_channel(
      ctx.region, (*channel)->channel_id, ctx.now_ms, [&](engine::ChannelMeta& c) -> Status {
        const auto st = c.status(ctx.now_ms);
        if (st != engine::ChannelStatus::kActive) {
          return make_error(ErrorCode::kResourceInUse, "Channel " + c.name + " under account " + c.account +
                                                           " not ACTIVE, instead in state " +
                                                           engine::to_string(st));
        }
        if (freshness) c.freshness_seconds = *freshness;
        if (logging) apply_logging(*get_object(*logging, "CloudWatchLogs"), c);
        c.updating_until_ms = ctx.now_ms + delay;
        updated = c;
        return Status::Ok();
      });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return description_output(updated, ctx.now_ms);
}

// Stops delivery (records already delivered stay); the channel is DELETING, then gone.
KINESISD_HANDLER(delete_channel) {
  auto channel = resolve_channel(services, ctx, in);
  if (!channel) co_return channel.error();
  if (auto s = services.registry->delete_channel(ctx.region, (*channel)->channel_id, ctx.now_ms); !s) {
    co_return s.error();
  }
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  co_return empty_output();
}

// Channels of the region ordered by name (then id), filtered by source stream, in pages of MaxResults.
KINESISD_HANDLER(list_channels) {
  const int64_t limit = std::min(get_int(in, "MaxResults").value_or(kListDefault), kListMax);
  std::string after_name, after_id;
  if (auto token = get_string(in, "NextToken")) {
    auto fields = read_next_token(*token, ctx.now_ms, kNextTokenTtlMs);
    if (!fields) co_return fields.error();
    const auto& f = fields.value();
    if (!f.HasMember("n") || !f["n"].IsString() || !f.HasMember("i") || !f["i"].IsString() ||
        !f.HasMember("r") || !f["r"].IsString() || ctx.region != f["r"].GetString()) {
      co_return make_error(ErrorCode::kInvalidArgument, "Invalid NextToken.");
    }
    after_name = f["n"].GetString();
    after_id = f["i"].GetString();
  }
  auto it = in.FindMember("StreamFilter");
  const rapidjson::Value* filters = it != in.MemberEnd() && it->value.IsArray() ? &it->value : nullptr;
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  OutBuilder b(out, alloc);
  auto& list = b.array("ChannelSummaries");
  std::string last_name, last_id;
  bool more = false;
  for (const auto& c : services.registry->list_channels(ctx.region, ctx.now_ms)) {
    if (!after_name.empty() && std::tie(c->name, c->channel_id) <= std::tie(after_name, after_id)) continue;
    if (filters && !matches(*c, *filters)) continue;
    if (static_cast<int64_t>(list.Size()) == limit) {
      more = true;
      break;
    }
    rapidjson::Value v(rapidjson::kObjectType);
    write_channel_summary(*c, ctx.now_ms, v, alloc);
    list.PushBack(v, alloc);
    last_name = c->name;
    last_id = c->channel_id;
  }
  if (more) {
    rapidjson::Document token(rapidjson::kObjectType);
    OutBuilder(token, token.GetAllocator())
        .str("n", last_name)
        .str("i", last_id)
        .str("r", ctx.region)
        .num("t", ctx.now_ms);
    b.str("NextToken", make_next_token(token));
  }
  co_return out;
}

}  // namespace kinesisd::api
