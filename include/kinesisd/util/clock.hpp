// Wall-clock time in epoch milliseconds. Engine code takes `now` as an argument where it must be testable.
#pragma once

#include <chrono>
#include <cstdint>

namespace kinesisd {

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace kinesisd
