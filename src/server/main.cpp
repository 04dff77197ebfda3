#include <cstdio>

#include "kinesisd/server/app.hpp"
#include "kinesisd/server/config.hpp"

extern char** environ;

int main(int argc, char** argv) {
  auto parsed = kinesisd::server::load_config(argc, argv, environ);
  if (!parsed) {
    std::fprintf(stderr, "kinesisd: %s\n", parsed.error().message.c_str());
    return 2;
  }
  switch (parsed->outcome) {
    case kinesisd::server::ConfigOutcome::kHelp: std::fputs(kinesisd::server::help_text().c_str(), stdout); return 0;
    case kinesisd::server::ConfigOutcome::kVersion: std::puts("kinesisd 0.1.0"); return 0;
    case kinesisd::server::ConfigOutcome::kRun: break;
  }
  return kinesisd::server::run(parsed->config);
}
