// HTTP/2 frames after the client preface, on a connection to a whole in-process server
// (fuzz/server_harness.hpp): the nghttp2 server session with kinesisd's callbacks (headers, data, stream ends,
// the body limit, concurrent streams) and the FrontDoor behind it. The seeds (fuzz/make_corpus.py) are a
// client's SETTINGS, HEADERS and DATA frames carrying Kinesis requests.
#include <cstdint>

#include "server_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kinesisd::fuzz::exchange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", data, size);
  return 0;
}
