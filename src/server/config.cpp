#include "kinesisd/server/config.hpp"

#include "kinesisd/auth/sigv4_verify.hpp"

#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <regex>

namespace kinesisd::server {
namespace {

using Setter = std::function<Status(Config&, const std::string&)>;

struct Option {
  const char* name;  // flag without "--", also the config-file key
  const char* value_name;
  const char* help;
  Setter set;
};

Error bad_value(const std::string& option, const std::string& value, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "invalid value '" + value + "' for " + option + ": " + why);
}

Setter integer(int64_t Config::*field, int64_t min, int64_t max) {
  return [=](Config& c, const std::string& v) -> Status {
    try {
      if (v.empty() || !(std::isdigit(static_cast<unsigned char>(v[0])) || v[0] == '-')) throw std::invalid_argument("");
      size_t used = 0;
      const long long n = std::stoll(v, &used);
      if (used != v.size() || n < min || n > max) throw std::out_of_range("range");
      c.*field = n;
      return Status::Ok();
    } catch (const std::exception&) {
      return make_error(ErrorCode::kInvalidArgument,
                        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
  };
}

Setter text(std::string Config::*field) {
  return [=](Config& c, const std::string& v) -> Status {
    c.*field = v;
    return Status::Ok();
  };
}

Status set_listen(Config& c, const std::string& v) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos) return make_error(ErrorCode::kInvalidArgument, "expected HOST:PORT");
  std::string host = v.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return make_error(ErrorCode::kInvalidArgument, "expected HOST:PORT");
  try {
    const std::string port_text = v.substr(colon + 1);
    if (port_text.empty() || !std::isdigit(static_cast<unsigned char>(port_text[0]))) throw std::invalid_argument("");
    size_t used = 0;
    const int port = std::stoi(port_text, &used);
    if (used != v.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
    c.listen_host = host;
    c.listen_port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return make_error(ErrorCode::kInvalidArgument, "the port must be a number from 0 to 65535");
  }
  return Status::Ok();
}

Status set_initial_streams(Config& c, const std::string& v) {
  // NAME[:SHARDS[:REGION]], SHARDS may be empty (kinesis-mock's "name::us-west-2"): 4 shards, as there.
  static const std::regex kItem(R"(([a-zA-Z0-9_.-]{1,128})(:([0-9]{0,6})(:([a-z0-9-]+))?)?)");
  c.initialize_streams.clear();
  size_t start = 0;
  while (start <= v.size() && !v.empty()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    const std::string item = v.substr(start, comma - start);
    std::smatch m;
    if (!std::regex_match(item, m, kItem) || (m[3].length() > 0 && std::stoll(m[3]) < 1)) {
      return make_error(ErrorCode::kInvalidArgument, "expected NAME[:SHARDS[:REGION]], got '" + item + "'");
    }
    c.initialize_streams.push_back({m[1], m[3].length() > 0 ? std::stoll(m[3]) : 4, m[5]});
    start = comma + 1;
  }
  return Status::Ok();
}

Status set_log_level(Config& c, const std::string& v) {
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (const char* l : kLevels)
    if (v == l) {
      c.log_level = v;
      return Status::Ok();
    }
  return make_error(ErrorCode::kInvalidArgument, "expected one of trace, debug, info, warn, error, critical, off");
}

Status set_account(Config& c, const std::string& v) {
  if (!std::regex_match(v, std::regex("[0-9]{12}")))
    return make_error(ErrorCode::kInvalidArgument, "expected 12 digits");
  c.account_id = v;
  return Status::Ok();
}

Status set_region(Config& c, const std::string& v) {
  if (!std::regex_match(v, std::regex("[a-z0-9-]{1,32}")))
    return make_error(ErrorCode::kInvalidArgument, "expected a region name such as us-east-1");
  c.region = v;
  return Status::Ok();
}

Status set_fsync(Config& c, const std::string& v) {
  if (v != "always" && v != "interval" && v != "never")
    return make_error(ErrorCode::kInvalidArgument, "expected always, interval or never");
  c.fsync = v;
  return Status::Ok();
}

// An on|off option (true|false accepted too).
std::function<Status(Config&, const std::string&)> on_off(bool Config::*field) {
  return [field](Config& c, const std::string& v) -> Status {
    if (v == "on" || v == "true") {
      c.*field = true;
    } else if (v == "off" || v == "false") {
      c.*field = false;
    } else {
      return make_error(ErrorCode::kInvalidArgument, "expected on or off");
    }
    return Status::Ok();
  };
}

const std::vector<Option>& options() {
  static const std::vector<Option> kOptions = {
      {"listen", "HOST:PORT", "address to serve HTTP/1.1 and HTTPS on (default 127.0.0.1:4567; port 0 picks a free one)",
       set_listen},
      {"data-dir", "DIR", "where streams and records are kept (default ./data)", text(&Config::data_dir)},
      {"config", "FILE", "read settings from FILE (key = value lines, keys as these option names)",
       text(&Config::config_file)},
      {"region", "REGION", "region of --initialize-streams streams (default us-east-1); requests use the region "
                           "of their credential scope",
       set_region},
      {"account-id", "ID", "12-digit account id in ARNs and messages (default 000000000000)", set_account},
      {"log-level", "LEVEL", "trace, debug, info, warn, error, critical or off (default info)", set_log_level},
      {"create-stream-ms", "MS", "how long a new stream stays CREATING (default 500)",
       integer(&Config::create_stream_ms, 0, 3'600'000)},
      {"delete-stream-ms", "MS", "how long a deleted stream stays DELETING (default 500)",
       integer(&Config::delete_stream_ms, 0, 3'600'000)},
      {"update-stream-ms", "MS", "how long an updated stream stays UPDATING (default 500)",
       integer(&Config::update_stream_ms, 0, 3'600'000)},
      {"subscription-lifetime-ms", "MS", "how long a SubscribeToShard event stream lasts (default 300000, AWS's 5 "
                                         "minutes)",
       integer(&Config::subscription_lifetime_ms, 1000, 3'600'000)},
      {"shard-limit", "N", "open shards allowed per account and region (default 500)",
       integer(&Config::shard_limit, 1, 1'000'000)},
      {"initialize-streams", "NAME[:SHARDS[:REGION]],...",
       "streams to create at start when missing, 4 shards unless given (also read from INITIALIZE_STREAMS)",
       set_initial_streams},
      {"tls-cert", "FILE", "PEM certificate chain for HTTPS (default: a self-signed one in DATA_DIR/tls)",
       text(&Config::tls_cert)},
      {"tls-key", "FILE", "PEM private key for --tls-cert", text(&Config::tls_key)},
      {"port-file", "FILE", "write the bound port to FILE once listening", text(&Config::port_file)},
      {"io-threads", "N", "network threads (default 0: one per core)", integer(&Config::io_threads, 0, 256)},
      {"fsync", "POLICY",
       "always: acknowledge writes after fdatasync; interval (default): after write(2), fdatasync every "
       "--fsync-interval-ms; never: after write(2), no fdatasync. All three survive kill -9",
       set_fsync},
      {"fsync-interval-ms", "MS", "fdatasync period of the interval policy (default 1000)",
       integer(&Config::fsync_interval_ms, 1, 3'600'000)},
      {"throughput-limits", "on|off", "enforce AWS's per-shard and API call rates (default on)",
       on_off(&Config::throughput_limits)},
      {"verify-signatures", "on|off", "verify SigV4 signatures against --credentials (default off: only their "
                                      "shape is checked)",
       on_off(&Config::verify_signatures)},
      {"credentials", "AKID:SECRET[:ACCOUNT],...",
       "access keys, their secrets and (optionally) accounts for --verify-signatures", text(&Config::credentials)},
      {"segment-bytes", "N", "roll a shard's log segment at this size (default 67108864)",
       integer(&Config::segment_bytes, 4096, 1ll << 40)},
      {"retention-check-ms", "MS", "how often expired segments and deleted streams are removed (default 60000)",
       integer(&Config::retention_check_ms, 10, 86'400'000)},
      {"channel-output-dir", "DIR", "where channels deliver, standing in for S3: DIR/<bucket>/<key> (default "
                                    "DATA_DIR/channel-output)",
       text(&Config::channel_output_dir)},
      {"channel-check-ms", "MS", "how often channels look for records to deliver (default 1000)",
       integer(&Config::channel_check_ms, 10, 3'600'000)},
      {"channel-freshness-ms", "MS", "deliver after MS instead of each channel's DataFreshnessInSeconds, for tests "
                                     "(default 0: as the channel says)",
       integer(&Config::channel_freshness_ms, 0, 3'600'000)},
      {"idle-timeout-ms", "MS", "close a keep-alive connection that sends no new request for MS (default 120000)",
       integer(&Config::idle_timeout_ms, 100, 86'400'000)},
      {"header-timeout-ms", "MS", "deadline for a request's head from its first byte, for a TLS handshake from "
                                  "accept, for the HTTP/2 preface and for an HTTP/2 stream's headers (default "
                                  "10000)",
       integer(&Config::header_timeout_ms, 100, 3'600'000)},
      {"body-timeout-ms", "MS", "deadline for a request's body from the end of its head, HTTP/1.1 and HTTP/2 "
                                "(default 30000); answers, event streams included, are not bounded by it",
       integer(&Config::body_timeout_ms, 100, 3'600'000)},
      {"max-connections", "N", "open connections allowed in all; more are closed at once (default 10000)",
       integer(&Config::max_connections, 1, 10'000'000)},
      {"max-connections-per-ip", "N", "open connections allowed from one client address (default 1024)",
       integer(&Config::max_connections_per_ip, 1, 10'000'000)},
  };
  return kOptions;
}

const Option* find_option(const std::string& name) {
  for (const auto& o : options())
    if (name == o.name) return &o;
  return nullptr;
}

std::string env_name(const std::string& option) {
  std::string out = "KINESISD_";
  for (char c : option) out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

Status apply(Config& c, const Option& o, const std::string& value, const std::string& source) {
  if (auto s = o.set(c, value); !s) return bad_value(source, value, s.error().message);
  return Status::Ok();
}

Status apply_file(Config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kInvalidArgument, "cannot read config file " + path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto eq = line.find('=');
    const std::string where = path + ":" + std::to_string(number);
    if (eq == std::string::npos) return make_error(ErrorCode::kInvalidArgument, where + ": expected key = value");
    auto trim = [](std::string s) {
      const auto b = s.find_first_not_of(" \t\r");
      const auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    const Option* o = find_option(key);
    if (o == nullptr || key == "config") return make_error(ErrorCode::kInvalidArgument, where + ": unknown key '" + key + "'");
    if (auto s = apply(c, *o, value, where + " " + key); !s) return s;
  }
  return Status::Ok();
}

}  // namespace

std::string help_text() {
  std::string out =
      "kinesisd: a self-hosted server that speaks the Amazon Kinesis Data Streams API.\n\n"
      "Usage: kinesisd [OPTION...]\n\nOptions (each also an environment variable KINESISD_<NAME> and a config-file "
      "key;\nflags win over the environment, the environment over the file, the file over defaults):\n";
  for (const auto& o : options()) {
    std::string left = std::string("  --") + o.name + " " + o.value_name;
    if (left.size() < 34) left.resize(34, ' ');
    out += left + " " + o.help + "\n" + std::string(35, ' ') + "env " + env_name(o.name) + "\n";
  }
  out += "  --help                             show this text\n  --version                          show the version\n";
  return out;
}

Result<ParsedConfig> load_config(int argc, const char* const* argv, const char* const* env) {
  ParsedConfig parsed;
  // 1. Collect flags (they are applied last but name the config file).
  std::vector<std::pair<const Option*, std::string>> flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      parsed.outcome = ConfigOutcome::kHelp;
      return parsed;
    }
    if (arg == "--version") {
      parsed.outcome = ConfigOutcome::kVersion;
      return parsed;
    }
    if (arg.rfind("--", 0) != 0) return make_error(ErrorCode::kInvalidArgument, "unexpected argument '" + arg + "'");
    std::string name = arg.substr(2), value;
    const auto eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Option* o = find_option(name);
    if (o == nullptr) return make_error(ErrorCode::kInvalidArgument, "unknown option --" + name + " (see --help)");
    if (!has_value) {
      if (i + 1 >= argc) return make_error(ErrorCode::kInvalidArgument, "option --" + name + " needs a value");
      value = argv[++i];
    }
    flags.emplace_back(o, value);
  }
  std::map<std::string, std::string> environment;
  for (const char* const* e = env; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  Config& c = parsed.config;
  // 2. The config file: from the flag, else the environment.
  std::string file;
  for (const auto& [o, v] : flags)
    if (std::string(o->name) == "config") file = v;
  if (file.empty() && environment.count("KINESISD_CONFIG")) file = environment["KINESISD_CONFIG"];
  if (!file.empty()) {
    if (auto s = apply_file(c, file); !s) return s.error();
    c.config_file = file;
  }
  // 3. The environment; INITIALIZE_STREAMS is what kinesis-mock users already set.
  if (environment.count("INITIALIZE_STREAMS") && !environment.count("KINESISD_INITIALIZE_STREAMS")) {
    if (auto s = apply(c, *find_option("initialize-streams"), environment["INITIALIZE_STREAMS"], "INITIALIZE_STREAMS");
        !s)
      return s.error();
  }
  for (const auto& o : options()) {
    auto it = environment.find(env_name(o.name));
    if (it == environment.end() || std::string(o.name) == "config") continue;
    if (auto s = apply(c, o, it->second, it->first); !s) return s.error();
  }
  // 4. Flags.
  for (const auto& [o, v] : flags) {
    if (std::string(o->name) == "config") continue;
    if (auto s = apply(c, *o, v, std::string("--") + o->name); !s) return s.error();
  }
  if (c.verify_signatures && c.credentials.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "--verify-signatures on needs --credentials AKID:SECRET[,...]");
  }
  if (!c.credentials.empty() && !auth::SecretStore::parse(c.credentials)) {
    return make_error(ErrorCode::kInvalidArgument, "--credentials: expected AKID:SECRET[,AKID:SECRET...]");
  }
  return parsed;
}

}  // namespace kinesisd::server
