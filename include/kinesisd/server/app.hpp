// Wiring: builds the engine, storage, API and network from a Config and runs until SIGTERM/SIGINT.
#pragma once

#include "kinesisd/server/config.hpp"

namespace kinesisd::server {

// The exit code when another kinesisd holds the data dir (2 is a bad option or config file).
inline constexpr int kExitDataDirLocked = 3;

// Returns the process exit code: 0 after a clean shutdown, 1 when the server cannot start, kExitDataDirLocked
// when another server uses the data dir.
int run(const Config& config);

}  // namespace kinesisd::server
