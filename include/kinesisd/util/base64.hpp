// Standard base64 (RFC 4648, with padding), as AWS JSON carries blobs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kinesisd {

std::string base64_encode(std::string_view bytes);
void base64_encode_append(std::string_view bytes, std::string& out);

// Why a base64 text was refused, in the words AWS uses; empty when it decoded.
struct Base64Error {
  std::string reason;
};

// Decodes strict, padded base64. Returns nullopt and fills `why` when the text is not valid.
std::optional<std::string> base64_decode(std::string_view text, Base64Error* why = nullptr);

}  // namespace kinesisd
