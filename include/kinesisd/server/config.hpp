// Settings: command-line flags over KINESISD_* environment variables over a config file over defaults.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kinesisd/util/status.hpp"

namespace kinesisd::server {

struct InitialStream {
  std::string name;
  int64_t shards = 1;
  std::string region;  // empty: the configured region
};

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 4567;
  std::string data_dir = "./data";
  std::string config_file;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string log_level = "info";
  int64_t create_stream_ms = 500;
  int64_t delete_stream_ms = 500;
  int64_t update_stream_ms = 500;
  int64_t subscription_lifetime_ms = 300'000;
  int64_t shard_limit = 500;
  std::vector<InitialStream> initialize_streams;
  std::string tls_cert;
  std::string tls_key;
  std::string port_file;
  int64_t io_threads = 0;  // 0: one per core
  std::string fsync = "interval";  // always | interval | never
  int64_t fsync_interval_ms = 1000;
  bool throughput_limits = true;
  bool verify_signatures = false;
  std::string credentials;  // AKID:SECRET[,AKID:SECRET...] for --verify-signatures
  int64_t segment_bytes = 64ll * 1024 * 1024;
  int64_t retention_check_ms = 60'000;
  std::string channel_output_dir;    // empty: DATA_DIR/channel-output
  int64_t channel_check_ms = 1000;   // how often channels look for records to deliver
  int64_t channel_freshness_ms = 0;  // > 0: deliver after this instead of each channel's DataFreshnessInSeconds
  // Connection defences (see docs/reliability.md): deadlines and caps that no legitimate client reaches.
  int64_t idle_timeout_ms = 120'000;   // keep-alive wait for the next request's first byte
  int64_t header_timeout_ms = 10'000;  // a request's head from its first byte; TLS handshake; HTTP/2 preface
  int64_t body_timeout_ms = 30'000;    // a request's body from the end of its head
  int64_t max_connections = 10'000;    // open connections in all
  int64_t max_connections_per_ip = 1024;  // open connections from one client address
};

enum class ConfigOutcome { kRun, kHelp, kVersion };

struct ParsedConfig {
  Config config;
  ConfigOutcome outcome = ConfigOutcome::kRun;
};

// Reads flags, environment and config file. `env` is a NULL-terminated environ-style array.
// Errors (unknown option, bad value, unreadable file) carry a message for the user; the caller exits 2.
Result<ParsedConfig> load_config(int argc, const char* const* argv, const char* const* env);

std::string help_text();

}  // namespace kinesisd::server
