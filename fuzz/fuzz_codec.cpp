// JSON and CBOR request decoding, then validation against the service model, for every operation.
// Input: byte 0 picks the codec (bit 0: CBOR); then the operation's name and '\n' (a name the model does not
// have picks an operation by its first byte instead); the rest is the request body.
// Checked besides memory safety: an input that decodes and validates, once encoded with its own shape and decoded
// again, decodes and validates again (the codecs' encoders and decoders agree on the normalised form).
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>

#include "kinesisd/protocol/cbor_codec.hpp"
#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/protocol/validator.hpp"

using namespace kinesisd::protocol;

namespace {

kinesisd::Status decode(bool cbor, std::string& body, const Shape& shape, rapidjson::Document& out) {
  return cbor ? cbor_decode_input(body, shape, out) : json_decode_input(body, shape, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto& model = ServiceModel::instance();
  const bool cbor = (data[0] & 1) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto nl = rest.find('\n');
  const Operation* op = nl == std::string_view::npos ? nullptr : model.find_operation(rest.substr(0, nl));
  if (op != nullptr) {
    rest.remove_prefix(nl + 1);
  } else {
    const auto& names = model.operation_names();
    op = model.find_operation(names[static_cast<unsigned char>(rest[0]) % names.size()]);
    rest.remove_prefix(1);
  }
  std::string body(rest);

  rapidjson::Document input;
  if (!decode(cbor, body, *op->input, input)) return 0;
  if (!validate_input(*op->input, input)) return 0;

  std::string again = cbor ? cbor_encode_output(op->input, input) : json_encode_output(op->input, input);
  rapidjson::Document round;
  const auto decoded = decode(cbor, again, *op->input, round);
  if (!decoded) {
    std::fprintf(stderr, "%s: re-encoded valid input does not decode: %s\n", op->name.c_str(),
                 decoded.error().message.c_str());
    std::abort();
  }
  if (const auto valid = validate_input(*op->input, round); !valid) {
    std::fprintf(stderr, "%s: re-encoded valid input does not validate: %s\n", op->name.c_str(),
                 valid.error().message.c_str());
    std::abort();
  }
  return 0;
}
