// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
// Every text that reaches the wire must pass it: a client that stored invalid UTF-8 would make every later
// read of that text fail in strict decoders (boto3, Jackson).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kinesisd {

// The offset of the first byte that does not start a valid sequence, or npos when `s` is valid UTF-8.
size_t utf8_invalid_at(std::string_view s);

inline bool is_valid_utf8(std::string_view s) {
  return utf8_invalid_at(s) == std::string_view::npos;
}

// `s` with each maximal invalid subsequence replaced by U+FFFD (the Unicode "substitution of maximal
// subparts" practice, as browsers and Python's errors="replace" do).
std::string sanitize_utf8(std::string_view s);

// `s` itself when it is valid UTF-8 (the common case: no copy), else its sanitized form, kept in `scratch`.
inline std::string_view wire_utf8(std::string_view s, std::string& scratch) {
  if (is_valid_utf8(s)) return s;
  scratch = sanitize_utf8(s);
  return scratch;
}

}  // namespace kinesisd
