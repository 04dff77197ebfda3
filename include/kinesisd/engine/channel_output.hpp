// What a channel writes: object keys from its OutputKeyTemplate, records in its RecordFormatType, compressed
// as its CompressionType, and the dead-letter lines of records that fail their format's validation. Pure
// functions (no I/O) so they are unit-tested directly; engine/channel_delivery.cpp does the reading and
// writing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kinesisd/util/status.hpp"
#include "kinesisd/util/utf8.hpp"  // is_valid_utf8, for STRING records

namespace kinesisd::engine {

// An OutputKeyTemplate this server can render: variables !{channel-name}, !{channel-id}, !{stream-name},
// !{yyyy}, !{yy}, !{MM}, !{dd}, !{HH}, !{mm}, !{extension} and !{extension:<literal>}, balanced, and (keys
// become local paths) not starting or ending with '/', without "..", "./" or "//". InvalidArgument naming the
// problem otherwise.
Status check_key_template(const std::string& key_template);
// A key prefix (ErrorOutputPrefix) under the same path rules; `member` names it in the message.
Status check_key_prefix(const std::string& prefix, const std::string& member);
// A bucket name usable as a directory: S3's rules (3-63 of a-z 0-9 . -, starting and ending with a letter or
// digit, no "..").
Status check_bucket_name(const std::string& bucket, const std::string& member);
// CompressionType ZSTD needs libzstd at build time.
bool zstd_available();

// ".json", ".txt" or ".bin" by record format, then ".gz" or ".zst" by compression.
std::string object_extension(const std::string& record_format, const std::string& compression);

struct KeyValues {
  std::string channel_name;
  std::string channel_id;
  std::string stream_name;
  int64_t time_ms = 0;    // the time variables, UTC: the arrival time of the object's first record
  std::string extension;  // what !{extension} stands for
  std::string unique;     // appended to every key (before a trailing extension), so keys never collide
};
// The object key of `key_template` (checked by check_key_template).
std::string render_key(const std::string& key_template, const KeyValues& values);
// `key` with every path component that is empty, "." or ".." replaced by "_" (and '\\' or NUL by '_'): a
// relative path that cannot leave the directory it is joined to.
std::string safe_relative_key(const std::string& key);
// <prefix><yyyy>/<MM>/<dd>/<HH>/ for dead-letter objects.
std::string dated_prefix(const std::string& prefix, int64_t time_ms);

// Appends one record to an object of `record_format`: JSON and STRING records on a line each (a JSON record's
// line breaks, which valid JSON only has as whitespace, become spaces), BYTE_ARRAY records as they are, one
// after the other. False, with the reason in `why`, when the record is not valid JSON / UTF-8.
bool append_record(const std::string& record_format, std::string_view data, std::string& out,
                   std::string* why);

// The content compressed as `compression` (NONE, GZIP, ZSTD); Internal when the library fails.
Result<std::string> compress(const std::string& compression, const std::string& content);

}  // namespace kinesisd::engine
