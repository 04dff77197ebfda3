// HTTP/1.1 requests, as bytes on a connection to a whole in-process server (fuzz/server_harness.hpp): request
// parsing (Beast, with the server's header and body limits), pipelining, TLS and HTTP/2 detection on the first
// bytes, and everything the FrontDoor does with the request (signature shape, decoding, validation, handlers).
#include <cstdint>

#include "server_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kinesisd::fuzz::exchange({}, data, size);
  return 0;
}
