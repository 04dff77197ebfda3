// A whole kinesisd server (server::run: engine, storage, API, network) running inside the fuzzer process on a
// loopback port with a scratch data directory, so the HTTP targets feed bytes through exactly the code a client
// reaches: the listener, TLS/HTTP-2 detection, the HTTP/1.1 (Beast) and HTTP/2 (nghttp2) sessions and the
// FrontDoor. The sessions are written against a TCP stream, so the bytes travel over a real loopback socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kinesisd::fuzz {

// Starts the server on first use. Sends `prefix` then `data` on a new connection, half-closes it and reads
// until the server closes it (or 2 s pass: a SubscribeToShard answer may stream for minutes). Aborts when the
// server stops answering connections.
void exchange(std::string_view prefix, const uint8_t* data, size_t size);

}  // namespace kinesisd::fuzz
