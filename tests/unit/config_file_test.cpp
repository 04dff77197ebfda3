// The sample configuration file documents every option and is itself a valid configuration.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "kinesisd/server/config.hpp"

#ifndef KINESISD_SOURCE_DIR
#error "KINESISD_SOURCE_DIR must name the repository root"
#endif

namespace kinesisd::server {
namespace {

const std::string kConfigPath = std::string(KINESISD_SOURCE_DIR) + "/config/kinesisd.conf";

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConfigFileSample, MentionsEveryOptionOfHelp) {
  const std::string file = read_all(kConfigPath);
  ASSERT_FALSE(file.empty()) << kConfigPath;
  const std::string help = help_text();
  const std::regex option(R"(  --([a-z0-9-]+) )");
  int checked = 0;
  for (auto it = std::sregex_iterator(help.begin(), help.end(), option); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    if (name == "config" || name == "help" || name == "version") continue;
    // As a setting (`name = value`) or a commented example (`# name = value`).
    EXPECT_TRUE(std::regex_search(file, std::regex("(^|\\n)#? ?" + name + " = "))) << name << " is not in " << kConfigPath;
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(ConfigFileSample, LoadsAndGivesTheDefaults) {
  const char* argv[] = {"kinesisd", "--config", kConfigPath.c_str(), nullptr};
  const char* env[] = {nullptr};
  auto parsed = load_config(3, argv, env);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Config& c = parsed->config;
  const Config defaults;
  EXPECT_EQ(c.listen_host, defaults.listen_host);
  EXPECT_EQ(c.listen_port, defaults.listen_port);
  EXPECT_EQ(c.data_dir, defaults.data_dir);
  EXPECT_EQ(c.fsync, defaults.fsync);
  EXPECT_EQ(c.segment_bytes, defaults.segment_bytes);
  EXPECT_EQ(c.throughput_limits, defaults.throughput_limits);
  EXPECT_EQ(c.shard_limit, defaults.shard_limit);
}

}  // namespace
}  // namespace kinesisd::server
