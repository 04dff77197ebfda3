#include "kinesisd/server/app.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <algorithm>
#include <thread>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/front_door.hpp"
#include "kinesisd/api/subscription.hpp"
#include "kinesisd/auth/sigv4_verify.hpp"
#include "kinesisd/engine/channel_delivery.hpp"
#include "kinesisd/engine/data_plane.hpp"
#include "kinesisd/engine/rate_limiter.hpp"
#include "kinesisd/engine/record_cipher.hpp"
#include "kinesisd/engine/shard_iterator.hpp"
#include "kinesisd/engine/stream_registry.hpp"
#include "kinesisd/net/http_server.hpp"
#include "kinesisd/net/tls_context.hpp"
#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/storage/dir_lock.hpp"
#include "kinesisd/util/clock.hpp"
#include "kinesisd/util/ids.hpp"

namespace kinesisd::server {
namespace {

namespace asio = boost::asio;

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("kinesisd");
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

Status load_catalog(engine::StreamRegistry& registry, const std::string& path) {
  auto content = storage::read_file(path);
  if (!content) {
    if (content.error().code == ErrorCode::kResourceNotFound) return Status::Ok();
    return content.error();
  }
  return registry.load(content.value());
}

Status create_initial_streams(const Config& config, engine::StreamRegistry& registry) {
  for (const auto& s : config.initialize_streams) {
    const std::string region = s.region.empty() ? config.region : s.region;
    if (registry.find(region, s.name, now_ms()).ok()) continue;
    engine::CreateStreamRequest req;
    req.name = s.name;
    req.shard_count = s.shards;
    if (auto st = registry.create_stream(region, req, now_ms()); !st) {
      return make_error(st.error().code, "cannot create initial stream " + s.name + ": " + st.error().message);
    }
    spdlog::info("event=stream_initialized stream={} shards={} region={}", s.name, s.shards, region);
  }
  return Status::Ok();
}

// The iterator MAC key: created once, kept in the data dir, so iterators stay valid across restarts.
Result<std::string> iterator_key(const std::string& data_dir) {
  const std::string path = data_dir + "/iterator.key";
  auto existing = storage::read_file(path);
  if (existing && existing->size() == 32) return existing.value();
  if (existing) return make_error(ErrorCode::kInternal, path + " is damaged (expected 32 bytes)");
  std::string key = random_bytes(32);
  if (auto s = storage::write_file_atomically(path, key); !s) return s.error();
  return key;
}

// Runs `work` on `executor` every `period` until the io_context stops. Owned by run(), which outlives the
// io_context's handlers, so the callbacks may hold a plain pointer to it.
class Periodic {
 public:
  Periodic(asio::io_context& ioc, asio::any_io_executor executor, std::chrono::milliseconds period,
           std::function<void()> work)
      : timer_(ioc), executor_(std::move(executor)), period_(period), work_(std::move(work)) {
    arm();
  }

 private:
  void arm() {
    timer_.expires_after(period_);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      asio::post(executor_, [this] {
        work_();
        arm();
      });
    });
  }
  asio::steady_timer timer_;
  asio::any_io_executor executor_;
  std::chrono::milliseconds period_;
  std::function<void()> work_;
};

// A reshard records each parent's end position after closing it; a crash in between leaves it unrecorded.
// The parent's log holds every record it accepted, so its end is the log's end.
void record_missing_ends(engine::StreamRegistry& registry, engine::DataPlane& data) {
  for (const auto& meta : registry.all(now_ms())) {
    for (const auto& shard : meta.shards) {
      if (shard.is_open() || shard.end_position) continue;
      auto actor = data.shard(meta, shard.index);
      if (!actor) continue;
      const uint64_t end = actor->log().end_position();
      (void)registry.update_stream(meta.region, meta.name, now_ms(), [&](engine::StreamMeta& m) {
        for (auto& s : m.shards)
          if (s.index == shard.index && !s.end_position) s.end_position = end;
        return Status::Ok();
      });
      spdlog::info("event=shard_end_recovered stream={} shard={} end={}", meta.name, shard.shard_id, end);
    }
  }
}

// Closed shards whose newest possible record is past the retention period disappear, as on AWS.
void retire_closed_shards(engine::StreamRegistry& registry, engine::DataPlane& data, api::CatalogWriter& catalog) {
  const int64_t now = now_ms();
  bool changed = false;
  for (const auto& meta : registry.all(now)) {
    const int64_t cutoff = now - static_cast<int64_t>(meta.retention_hours) * 3'600'000;
    std::vector<uint64_t> expired;
    for (const auto& shard : meta.shards)
      if (!shard.is_open() && shard.end_position && shard.closed_ms < cutoff) expired.push_back(shard.index);
    if (expired.empty()) continue;
    Status s = registry.update_stream(meta.region, meta.name, now, [&](engine::StreamMeta& m) {
      std::erase_if(m.shards, [&](const engine::ShardMeta& shard) {
        return std::find(expired.begin(), expired.end(), shard.index) != expired.end();
      });
      return Status::Ok();
    });
    if (!s) continue;
    changed = true;
    for (uint64_t index : expired) data.remove_shard(meta, index);
  }
  if (changed) {
    if (auto s = catalog.flush(); !s) spdlog::error("event=catalog_flush_failed error=\"{}\"", s.error().message);
  }
}

}  // namespace

int run(const Config& config) {
  setup_logging(config.log_level);
  protocol::ServiceModel::instance();  // parse the embedded model before serving

  if (auto s = storage::make_directories(config.data_dir); !s) {
    spdlog::critical("event=start_failed error=\"{}\"", s.error().message);
    return 1;
  }
  // Two servers on one data dir would be two writers of the same logs and catalog.
  auto dir_lock = storage::DirLock::acquire(config.data_dir);
  if (!dir_lock) {
    spdlog::critical("event=start_failed reason=data_dir_locked error=\"{}\"", dir_lock.error().message);
    return kExitDataDirLocked;
  }
  engine::RegistryLimits limits;
  limits.account = config.account_id;
  limits.shard_limit = static_cast<uint64_t>(config.shard_limit);
  limits.create_delay_ms = config.create_stream_ms;
  limits.delete_delay_ms = config.delete_stream_ms;
  limits.update_delay_ms = config.update_stream_ms;
  engine::StreamRegistry registry(limits);
  const std::string catalog_path = config.data_dir + "/catalog.json";
  if (auto s = load_catalog(registry, catalog_path); !s) {
    // Refuse to start rather than serve (and later overwrite) an empty catalog.
    spdlog::critical("event=start_failed file={} error=\"{}\"", catalog_path, s.error().message);
    return 1;
  }
  if (auto s = create_initial_streams(config, registry); !s) {
    spdlog::critical("event=start_failed error=\"{}\"", s.error().message);
    return 1;
  }

  auto tls_files = net::ensure_tls_files(config.tls_cert, config.tls_key, config.data_dir);
  if (!tls_files) {
    spdlog::critical("event=start_failed error=\"{}\"", tls_files.error().message);
    return 1;
  }
  auto tls = net::make_tls_context(tls_files.value());
  if (!tls) {
    spdlog::critical("event=start_failed error=\"{}\"", tls.error().message);
    return 1;
  }

  const unsigned io_threads =
      config.io_threads > 0 ? static_cast<unsigned>(config.io_threads) : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(io_threads));
  asio::thread_pool storage_pool(2);
  asio::thread_pool read_pool(2);
  asio::thread_pool channel_pool(1);  // channel delivery rounds: long reads, compression and fsyncs of their own
  api::CatalogWriter catalog(registry, storage_pool.get_executor(), catalog_path);
  if (auto s = catalog.flush(); !s) {
    spdlog::critical("event=start_failed error=\"{}\"", s.error().message);
    return 1;
  }
  auto key = iterator_key(config.data_dir);
  if (!key) {
    spdlog::critical("event=start_failed error=\"{}\"", key.error().message);
    return 1;
  }
  const engine::IteratorCodec iterators(key.value());
  for (const std::string& secret :
       {config.data_dir + "/iterator.key", config.data_dir + "/encryption.key", tls_files->key_path}) {
    if (auto warning = storage::permission_warning(secret); !warning.empty()) spdlog::warn("{}", warning);
  }
  engine::DataPlaneOptions data_options;
  data_options.data_dir = config.data_dir;
  data_options.segment_bytes = static_cast<uint64_t>(config.segment_bytes);
  data_options.shard.throughput_limits = config.throughput_limits;
  data_options.shard.fsync = config.fsync == "always"  ? engine::FsyncPolicy::kAlways
                             : config.fsync == "never" ? engine::FsyncPolicy::kNever
                                                       : engine::FsyncPolicy::kInterval;
  // The master key of encryption at rest: created once, kept in the data dir (losing it loses encrypted records).
  auto record_key = engine::load_or_create_master_key(config.data_dir + "/encryption.key");
  if (!record_key) {
    spdlog::critical("event=start_failed error=\"{}\"", record_key.error().message);
    return 1;
  }
  data_options.shard.cipher = std::make_shared<const engine::RecordCipher>(record_key.value());
  engine::DataPlane data(ioc, storage_pool.get_executor(), data_options);
  for (const auto& meta : registry.all(now_ms())) {
    data.remove_unlisted_shards(meta);
    if (auto s = data.open_stream(meta); !s) {
      spdlog::critical("event=start_failed stream={} error=\"{}\"", meta.name, s.error().message);
      return 1;
    }
  }
  record_missing_ends(registry, data);
  if (auto s = catalog.flush(); !s) {
    spdlog::critical("event=start_failed error=\"{}\"", s.error().message);
    return 1;
  }
  data.sweep(registry, now_ms());
  // Channels deliver to a local directory standing in for S3; their rounds run on a thread of their own, so a
  // large backlog does not hold up GetRecords and subscriptions on the read pool.
  engine::ChannelDeliveryOptions channel_options;
  channel_options.output_dir =
      config.channel_output_dir.empty() ? config.data_dir + "/channel-output" : config.channel_output_dir;
  channel_options.state_dir = config.data_dir + "/channels";
  channel_options.freshness_override_ms = config.channel_freshness_ms;
  engine::ChannelDelivery channel_delivery(registry, data, channel_options);
  std::vector<std::unique_ptr<Periodic>> timers;
  timers.push_back(std::make_unique<Periodic>(ioc, channel_pool.get_executor(),
                                              std::chrono::milliseconds(config.channel_check_ms),
                                              [&] { channel_delivery.run(now_ms()); }));
  timers.push_back(std::make_unique<Periodic>(ioc, storage_pool.get_executor(), std::chrono::milliseconds(config.retention_check_ms), [&] {
    retire_closed_shards(registry, data, catalog);
    data.sweep(registry, now_ms());
  }));
  if (data_options.shard.fsync == engine::FsyncPolicy::kInterval) {
    timers.push_back(std::make_unique<Periodic>(ioc, storage_pool.get_executor(),
                                                std::chrono::milliseconds(config.fsync_interval_ms),
                                                [&] { data.sync_dirty(); }));
  }
  engine::RateLimiterOptions rate_options;
  rate_options.enabled = config.throughput_limits;  // AWS's control-plane API rates, under the same switch
  engine::RateLimiter rate_limiter(rate_options);
  api::Services services{&registry, &catalog, &data, &iterators, storage_pool.get_executor(), read_pool.get_executor()};
  services.limiter = &rate_limiter;
  api::SubscriptionHub subscriptions;
  services.subscriptions = &subscriptions;
  services.throughput_limits = config.throughput_limits;
  services.subscription_lifetime_ms = config.subscription_lifetime_ms;
  std::optional<auth::SecretStore> secrets;
  if (config.verify_signatures) {
    secrets = auth::SecretStore::parse(config.credentials, config.account_id).value();  // load_config checked it
    services.secrets = &*secrets;
  }
  api::FrontDoor front_door(services);
  net::SessionShared shared;
  shared.front_door = &front_door;
  shared.tls = tls.value();
  shared.collect_headers = config.verify_signatures;
  shared.limits.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  shared.limits.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  shared.limits.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  shared.limits.max_connections = static_cast<size_t>(config.max_connections);
  shared.limits.max_connections_per_ip = static_cast<size_t>(config.max_connections_per_ip);
  // Each connection is a descriptor: raise the soft limit so --max-connections can be reached (plus room for
  // log segments and the like), and say so when the hard limit does not allow it.
  constexpr uint64_t kSpareDescriptors = 1024;
  const uint64_t wanted = static_cast<uint64_t>(config.max_connections) + kSpareDescriptors;
  if (const uint64_t fds = net::raise_open_file_limit(wanted); fds < wanted) {
    spdlog::warn(
        "event=open_file_limit_low limit={} max_connections={} hint=\"past about {} connections, "
        "accepts fail until some close; raise the hard limit (ulimit -Hn)\"",
        fds, config.max_connections, fds > kSpareDescriptors ? fds - kSpareDescriptors : 0);
  }
  net::HttpServer server(ioc, shared);
  auto port = server.listen(config.listen_host, config.listen_port);
  if (!port) {
    spdlog::critical("event=start_failed error=\"{}\"", port.error().message);
    return 1;
  }
  if (!config.port_file.empty()) {
    if (auto s = storage::write_file_atomically(config.port_file, std::to_string(port.value()) + "\n", 0644);
        !s) {
      spdlog::critical("event=start_failed error=\"{}\"", s.error().message);
      return 1;
    }
  }
  server.start();
  spdlog::info("event=listening address={}:{} data_dir={} tls_cert={} io_threads={}", config.listen_host,
               port.value(), config.data_dir, tls_files->cert_path, io_threads);

  // Shutdown: stop accepting, let requests in hand finish (up to 5 s), then stop. Idle keep-alive connections
  // are simply closed.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void(boost::system::error_code)> check_drained = [&](boost::system::error_code) {
    if (shared.requests_in_flight.load() == 0 || std::chrono::steady_clock::now() >= *deadline) {
      ioc.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait(check_drained);
  };
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("event=shutdown signal={}", signal);
    shared.stopping = true;
    server.stop();
    shared.run_stop_hooks();  // GOAWAY to every HTTP/2 session, idle ones too
    subscriptions.end_all();  // event streams end cleanly instead of being cut
    *deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    drain.expires_after(std::chrono::milliseconds(100));  // time for the GOAWAY frames to go out
    drain.async_wait(check_drained);
  });

  // An exception that escapes a handler must not end the process (one bad request would take every client
  // down): it is logged and the thread goes back to running handlers. run() returns normally once stopped.
  auto run_io = [&ioc] {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("event=handler_exception error=\"{}\"", e.what());
      } catch (...) {
        spdlog::error("event=handler_exception error=\"unknown\"");
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < io_threads; ++i) threads.emplace_back(run_io);
  run_io();
  for (auto& t : threads) t.join();
  storage_pool.join();
  read_pool.join();
  channel_pool.join();
  data.sync_dirty();
  if (auto s = catalog.flush(); !s) spdlog::error("event=catalog_flush_failed error=\"{}\"", s.error().message);
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace kinesisd::server
