// Shard iterator tokens (engine/shard_iterator). Byte 0, bit 0 clear: the rest is a token as a client sends it.
// Bit 0 set: the rest is the token's body, which gets its HMAC under the fuzzer's key and base64 first, so the
// fuzzer reaches the field decoder behind the MAC. Checked besides memory safety: a decoded state encodes to a
// token that decodes to the same state.
#include <openssl/hmac.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "kinesisd/engine/shard_iterator.hpp"
#include "kinesisd/util/base64.hpp"

using namespace kinesisd::engine;

namespace {

const std::string kKey = "fuzz-iterator-key-0123456789abcdef";
constexpr int64_t kNowMs = 1'700'000'000'000;

std::string sign(const std::string& body) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), out, &len);
  return body + std::string(reinterpret_cast<const char*>(out), 16);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const IteratorCodec codec(kKey);
  if (size < 1) return 0;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string token = (data[0] & 1) != 0 ? kinesisd::base64_encode(sign(rest)) : rest;
  auto state = codec.decode(token, kNowMs);
  if (!state) return 0;
  auto again = codec.decode(codec.encode(*state), kNowMs);
  if (!again || again->region != state->region || again->stream_name != state->stream_name ||
      again->stream_created_ms != state->stream_created_ms || again->shard_index != state->shard_index ||
      again->position != state->position || again->issued_ms != state->issued_ms) {
    std::abort();
  }
  (void)amz_utc_string(state->issued_ms);
  return 0;
}
