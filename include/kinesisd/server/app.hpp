// Wiring: builds the engine, storage, API and network from a Config and runs until SIGTERM/SIGINT.
#pragma once

#include "kinesisd/server/config.hpp"

namespace kinesisd::server {

// Returns the process exit code: 0 after a clean shutdown, 1 when the server cannot start.
int run(const Config& config);

}  // namespace kinesisd::server
