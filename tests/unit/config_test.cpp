#include <array>
// server::load_config: flags over KINESISD_* environment over config file over defaults.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "kinesisd/server/config.hpp"

namespace kinesisd::server {
namespace {

// Owns the strings; hands out argv/env arrays in the shape main() gets them.
class Args {
 public:
  Args(std::initializer_list<std::string> argv, std::initializer_list<std::string> env = {})
      : argv_store_(argv), env_store_(env) {
    argv_store_.insert(argv_store_.begin(), "kinesisd");
    for (auto& a : argv_store_) argv_.push_back(a.c_str());
    argv_.push_back(nullptr);
    for (auto& e : env_store_) env_.push_back(e.c_str());
    env_.push_back(nullptr);
  }
  Result<ParsedConfig> load() const { return load_config(static_cast<int>(argv_store_.size()), argv_.data(), env_.data()); }

 private:
  std::vector<std::string> argv_store_, env_store_;
  std::vector<const char*> argv_, env_;
};

Config ok(const Args& args) {
  auto r = args.load();
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return Config{};
  EXPECT_EQ(r->outcome, ConfigOutcome::kRun);
  return r->config;
}

std::string error(const Args& args) {
  auto r = args.load();
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-config-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  std::string dir_;
};

TEST(Config, Defaults) {
  const Config c = ok(Args({}));
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 4567);
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.account_id, "000000000000");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.create_stream_ms, 500);
  EXPECT_EQ(c.delete_stream_ms, 500);
  EXPECT_EQ(c.update_stream_ms, 500);
  EXPECT_EQ(c.shard_limit, 500);
  EXPECT_EQ(c.io_threads, 0);
  EXPECT_TRUE(c.initialize_streams.empty());
  EXPECT_TRUE(c.config_file.empty());
  EXPECT_TRUE(c.tls_cert.empty());
  EXPECT_EQ(c.fsync, "interval");
  EXPECT_EQ(c.fsync_interval_ms, 1000);
  EXPECT_TRUE(c.throughput_limits);
  EXPECT_EQ(c.segment_bytes, 64ll * 1024 * 1024);
  EXPECT_EQ(c.retention_check_ms, 60000);
  const char* argv[] = {"kinesisd", nullptr};
  auto no_env = load_config(1, argv, nullptr);
  ASSERT_TRUE(no_env.ok());
  EXPECT_EQ(no_env->config.listen_port, 4567);
}

TEST(Config, ListenForms) {
  Config c = ok(Args({"--listen", "0.0.0.0:0"}));
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 0);
  c = ok(Args({"--listen=localhost:65535"}));
  EXPECT_EQ(c.listen_host, "localhost");
  EXPECT_EQ(c.listen_port, 65535);
  c = ok(Args({"--listen", "[::1]:8080"}));
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 8080);
}

TEST(Config, BadListen) {
  EXPECT_EQ(error(Args({"--listen", "nohost"})), "invalid value 'nohost' for --listen: expected HOST:PORT");
  EXPECT_EQ(error(Args({"--listen", ":80"})), "invalid value ':80' for --listen: expected HOST:PORT");
  EXPECT_EQ(error(Args({"--listen", "h:65536"})),
            "invalid value 'h:65536' for --listen: the port must be a number from 0 to 65535");
  for (const char* bad : {"h:", "h:abc", "h:80x", "h:-1", "[::1]"}) EXPECT_NE(error(Args({"--listen", bad})), "<ok>");
}

TEST(Config, EqualsFormAndLastFlagWins) {
  const Config c = ok(Args({"--shard-limit=42", "--region=us-west-2", "--data-dir=/var/k=v", "--shard-limit", "43"}));
  EXPECT_EQ(c.shard_limit, 43);
  EXPECT_EQ(c.region, "us-west-2");
  EXPECT_EQ(c.data_dir, "/var/k=v");
}

TEST(Config, EveryOptionSettableByFlag) {
  const Config c = ok(Args({"--data-dir", "/d", "--account-id", "123456789012", "--log-level", "debug",
                            "--create-stream-ms", "0", "--delete-stream-ms", "3600000", "--update-stream-ms", "7",
                            "--tls-cert", "c.pem", "--tls-key", "k.pem", "--port-file", "p", "--io-threads", "256"}));
  EXPECT_EQ(c.data_dir, "/d");
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.create_stream_ms, 0);
  EXPECT_EQ(c.delete_stream_ms, 3600000);
  EXPECT_EQ(c.update_stream_ms, 7);
  EXPECT_EQ(c.tls_cert, "c.pem");
  EXPECT_EQ(c.tls_key, "k.pem");
  EXPECT_EQ(c.port_file, "p");
  EXPECT_EQ(c.io_threads, 256);
}

TEST(Config, StorageOptions) {
  Config c = ok(Args({"--fsync", "always", "--fsync-interval-ms", "5", "--throughput-limits", "off",
                      "--segment-bytes", "4096", "--retention-check-ms", "10"}));
  EXPECT_EQ(c.fsync, "always");
  EXPECT_EQ(c.fsync_interval_ms, 5);
  EXPECT_FALSE(c.throughput_limits);
  EXPECT_EQ(c.segment_bytes, 4096);
  EXPECT_EQ(c.retention_check_ms, 10);
  EXPECT_TRUE(ok(Args({"--throughput-limits=false", "--throughput-limits=on"})).throughput_limits);
  EXPECT_EQ(ok(Args({}, {"KINESISD_FSYNC=never"})).fsync, "never");
  EXPECT_EQ(error(Args({"--fsync", "sometimes"})),
            "invalid value 'sometimes' for --fsync: expected always, interval or never");
  EXPECT_EQ(error(Args({"--throughput-limits", "yes"})),
            "invalid value 'yes' for --throughput-limits: expected on or off");
  EXPECT_NE(error(Args({"--segment-bytes", "4095"})), "<ok>");
  EXPECT_NE(error(Args({"--fsync-interval-ms", "0"})), "<ok>");
}

TEST(Config, ConnectionDefences) {
  const Config d = ok(Args({}));
  EXPECT_EQ(d.idle_timeout_ms, 120000);
  EXPECT_EQ(d.header_timeout_ms, 10000);
  EXPECT_EQ(d.body_timeout_ms, 30000);
  EXPECT_EQ(d.max_connections, 10000);
  EXPECT_EQ(d.max_connections_per_ip, 1024);
  Config c = ok(Args({"--idle-timeout-ms", "5000", "--header-timeout-ms=1000", "--body-timeout-ms", "2000",
                      "--max-connections", "50"},
                     {"KINESISD_MAX_CONNECTIONS_PER_IP=7", "KINESISD_MAX_CONNECTIONS=9"}));
  EXPECT_EQ(c.idle_timeout_ms, 5000);
  EXPECT_EQ(c.header_timeout_ms, 1000);
  EXPECT_EQ(c.body_timeout_ms, 2000);
  EXPECT_EQ(c.max_connections, 50);  // the flag wins over the environment
  EXPECT_EQ(c.max_connections_per_ip, 7);
  for (const char* option : {"--idle-timeout-ms", "--header-timeout-ms", "--body-timeout-ms"}) {
    EXPECT_NE(error(Args({option, "99"})), "<ok>") << option;  // under 100 ms would cut everyone
  }
  EXPECT_NE(error(Args({"--max-connections", "0"})), "<ok>");
  EXPECT_NE(error(Args({"--max-connections-per-ip", "0"})), "<ok>");
}

TEST(Config, UnknownOptionsAndMissingValues) {
  EXPECT_EQ(error(Args({"--bogus", "1"})), "unknown option --bogus (see --help)");
  EXPECT_EQ(error(Args({"--bogus=1"})), "unknown option --bogus (see --help)");
  EXPECT_EQ(error(Args({"stray"})), "unexpected argument 'stray'");
  EXPECT_EQ(error(Args({"-x"})), "unexpected argument '-x'");
  EXPECT_EQ(error(Args({"--region"})), "option --region needs a value");
}

TEST(Config, BadNumbers) {
  EXPECT_EQ(error(Args({"--shard-limit", "abc"})),
            "invalid value 'abc' for --shard-limit: expected a whole number from 1 to 1000000");
  for (const char* bad : {"0", "1000001", "12x", "", "1.5", "99999999999999999999"})
    EXPECT_NE(error(Args({"--shard-limit", bad})), "<ok>") << bad;
  EXPECT_NE(error(Args({"--io-threads", "257"})), "<ok>");
  EXPECT_NE(error(Args({"--create-stream-ms", "-1"})), "<ok>");
}

TEST(Config, BadAccountRegionAndLogLevel) {
  EXPECT_EQ(error(Args({"--account-id", "123"})), "invalid value '123' for --account-id: expected 12 digits");
  EXPECT_NE(error(Args({"--account-id", "12345678901a"})), "<ok>");
  EXPECT_NE(error(Args({"--account-id", "1234567890123"})), "<ok>");
  EXPECT_NE(error(Args({"--region", "US-EAST-1"})), "<ok>");
  EXPECT_NE(error(Args({"--log-level", "verbose"})), "<ok>");
}

TEST(Config, EnvironmentOverridesDefaultsAndNamesTheVariableInErrors) {
  const Config c = ok(Args({}, {"KINESISD_REGION=eu-west-1", "KINESISD_SHARD_LIMIT=9", "KINESISD_DATA_DIR=/e",
                                "KINESISD_LISTEN=0.0.0.0:1234", "UNRELATED=1", "NOEQUALS"}));
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.shard_limit, 9);
  EXPECT_EQ(c.data_dir, "/e");
  EXPECT_EQ(c.listen_port, 1234);
  EXPECT_EQ(error(Args({}, {"KINESISD_SHARD_LIMIT=abc"})),
            "invalid value 'abc' for KINESISD_SHARD_LIMIT: expected a whole number from 1 to 1000000");
  EXPECT_EQ(ok(Args({"--region", "ap-south-1"}, {"KINESISD_REGION=eu-west-1"})).region, "ap-south-1");
}

TEST(Config, InitializeStreamsFromEnvironment) {
  const Config c = ok(Args({}, {"INITIALIZE_STREAMS=a:2,b:1:us-west-2"}));
  ASSERT_EQ(c.initialize_streams.size(), 2u);
  EXPECT_EQ(c.initialize_streams[0].name, "a");
  EXPECT_EQ(c.initialize_streams[0].shards, 2);
  EXPECT_EQ(c.initialize_streams[0].region, "");
  EXPECT_EQ(c.initialize_streams[1].name, "b");
  EXPECT_EQ(c.initialize_streams[1].shards, 1);
  EXPECT_EQ(c.initialize_streams[1].region, "us-west-2");
}

// kinesis-mock's forms: a bare name, or an empty shard count before a region, mean 4 shards.
TEST(Config, InitializeStreamsDefaultsToFourShardsLikeKinesisMock) {
  const Config c = ok(Args({}, {"INITIALIZE_STREAMS=solo,other::us-west-2,third:"}));
  ASSERT_EQ(c.initialize_streams.size(), 3u);
  EXPECT_EQ(c.initialize_streams[0].name, "solo");
  EXPECT_EQ(c.initialize_streams[0].shards, 4);
  EXPECT_EQ(c.initialize_streams[1].name, "other");
  EXPECT_EQ(c.initialize_streams[1].shards, 4);
  EXPECT_EQ(c.initialize_streams[1].region, "us-west-2");
  EXPECT_EQ(c.initialize_streams[2].shards, 4);
  EXPECT_FALSE(kinesisd::server::load_config(3, std::array<const char*, 4>{"kinesisd", "--initialize-streams", "a:0", nullptr}.data(), nullptr).ok());
}

TEST(Config, KinesisdInitializeStreamsWinsOverInitializeStreams) {
  Config c = ok(Args({}, {"INITIALIZE_STREAMS=a:2", "KINESISD_INITIALIZE_STREAMS=z:5"}));
  ASSERT_EQ(c.initialize_streams.size(), 1u);
  EXPECT_EQ(c.initialize_streams[0].name, "z");
  EXPECT_EQ(c.initialize_streams[0].shards, 5);
  // Even a bad INITIALIZE_STREAMS is ignored when the KINESISD_ one is set.
  c = ok(Args({}, {"INITIALIZE_STREAMS=???", "KINESISD_INITIALIZE_STREAMS=z:5"}));
  EXPECT_EQ(c.initialize_streams.size(), 1u);
  c = ok(Args({"--initialize-streams", "f:3"}, {"INITIALIZE_STREAMS=a:2"}));
  ASSERT_EQ(c.initialize_streams.size(), 1u);
  EXPECT_EQ(c.initialize_streams[0].name, "f");
}

TEST(Config, BadInitializeStreams) {
  // A bare "a" is valid (kinesis-mock's default of 4 shards); see InitializeStreamsDefaultsToFourShardsLikeKinesisMock.
  for (const char* bad : {"a:0", "a:2,", ",a:2", "a b:1", "a:1:US", "a:x", "a:1234567"}) {
    const std::string msg = error(Args({}, {std::string("INITIALIZE_STREAMS=") + bad}));
    EXPECT_NE(msg.find("INITIALIZE_STREAMS"), std::string::npos) << bad << ": " << msg;
    EXPECT_NE(msg.find("expected NAME[:SHARDS[:REGION]]"), std::string::npos) << bad << ": " << msg;
  }
}

TEST_F(ConfigFile, FlagBeatsEnvBeatsFile) {
  const std::string path = write("k.conf",
                                 "# comment line\n\n"
                                 "region = eu-west-1   # trailing comment\n"
                                 "shard-limit=7\n"
                                 "  log-level = \"debug\"\n"
                                 "data-dir = /from/file\r\n");
  const Config c = ok(Args({"--region", "ap-south-1"},
                           {"KINESISD_CONFIG=" + path, "KINESISD_REGION=us-west-2", "KINESISD_LOG_LEVEL=warn"}));
  EXPECT_EQ(c.region, "ap-south-1");     // flag > env > file
  EXPECT_EQ(c.log_level, "warn");        // env > file
  EXPECT_EQ(c.shard_limit, 7);           // file > default
  EXPECT_EQ(c.data_dir, "/from/file");   // quotes and CR stripped
  EXPECT_EQ(c.config_file, path);
}

TEST_F(ConfigFile, ConfigFlagBeatsConfigEnv) {
  const std::string from_flag = write("a.conf", "shard-limit = 11\n");
  const std::string from_env = write("b.conf", "shard-limit = 22\n");
  Config c = ok(Args({"--config", from_flag}, {"KINESISD_CONFIG=" + from_env}));
  EXPECT_EQ(c.shard_limit, 11);
  EXPECT_EQ(c.config_file, from_flag);
  c = ok(Args({"--config=" + from_env}));
  EXPECT_EQ(c.shard_limit, 22);
}

TEST_F(ConfigFile, FileErrors) {
  EXPECT_EQ(error(Args({"--config", dir_ + "/missing.conf"})), "cannot read config file " + dir_ + "/missing.conf");
  const std::string unknown = write("u.conf", "\nbogus = 1\n");
  EXPECT_EQ(error(Args({"--config", unknown})), unknown + ":2: unknown key 'bogus'");
  const std::string nested = write("n.conf", "config = other.conf\n");
  EXPECT_EQ(error(Args({"--config", nested})), nested + ":1: unknown key 'config'");
  const std::string no_eq = write("e.conf", "region\n");
  EXPECT_EQ(error(Args({"--config", no_eq})), no_eq + ":1: expected key = value");
  const std::string bad_value = write("v.conf", "shard-limit = 0\n");
  EXPECT_EQ(error(Args({"--config", bad_value})),
            "invalid value '0' for " + bad_value + ":1 shard-limit: expected a whole number from 1 to 1000000");
}

TEST(Config, HelpAndVersion) {
  for (const char* flag : {"--help", "-h"}) {
    auto r = Args({flag}).load();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, ConfigOutcome::kHelp);
  }
  auto after_bad_value = Args({"--shard-limit", "0", "--help"}).load();
  ASSERT_TRUE(after_bad_value.ok()) << "values are checked only after all flags are read";
  EXPECT_EQ(after_bad_value->outcome, ConfigOutcome::kHelp);
  auto v = Args({"--version"}).load();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->outcome, ConfigOutcome::kVersion);
}

TEST(Config, HelpTextMentionsEveryOption) {
  const std::string help = help_text();
  for (const char* name : {"listen", "data-dir", "config", "region", "account-id", "log-level", "create-stream-ms",
                           "delete-stream-ms", "update-stream-ms", "shard-limit", "initialize-streams", "tls-cert",
                           "tls-key", "port-file", "io-threads", "fsync", "fsync-interval-ms", "throughput-limits",
                           "segment-bytes", "retention-check-ms", "help", "version"}) {
    EXPECT_NE(help.find(std::string("--") + name), std::string::npos) << name;
  }
  for (const char* env : {"KINESISD_LISTEN", "KINESISD_DATA_DIR", "KINESISD_ACCOUNT_ID", "KINESISD_INITIALIZE_STREAMS",
                          "KINESISD_IO_THREADS", "INITIALIZE_STREAMS"}) {
    EXPECT_NE(help.find(env), std::string::npos) << env;
  }
}

}  // namespace
}  // namespace kinesisd::server
