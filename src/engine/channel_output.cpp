#include "kinesisd/engine/channel_output.hpp"
#include "kinesisd/util/utf8.hpp"

#include <algorithm>
#include <cctype>

#include <rapidjson/document.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <vector>

#ifdef KINESISD_HAVE_ZSTD
#include <zstd.h>
#endif

namespace kinesisd::engine {
namespace {

constexpr std::array<std::string_view, 9> kVariables{
    "channel-name", "channel-id", "stream-name", "yyyy", "yy", "MM", "dd", "HH", "mm"};

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// Splits a template into literal text and variable names ("" for a literal part).
struct Part {
  std::string text;
  bool variable = false;
};
Result<std::vector<Part>> parse(const std::string& t) {
  std::vector<Part> parts;
  size_t i = 0;
  while (i < t.size()) {
    const size_t open = t.find("!{", i);
    if (open == std::string::npos) {
      parts.push_back({t.substr(i), false});
      break;
    }
    if (open > i) parts.push_back({t.substr(i, open - i), false});
    const size_t close = t.find('}', open);
    if (close == std::string::npos) return invalid("OutputKeyTemplate has a '!{' without its '}'.");
    parts.push_back({t.substr(open + 2, close - open - 2), true});
    i = close + 1;
  }
  return parts;
}

Status check_path(const std::string& s, const std::string& member) {
  if (s.front() == '/' || s.find("..") != std::string::npos || s.find("./") != std::string::npos ||
      s.find("//") != std::string::npos || s.find('\\') != std::string::npos) {
    return invalid(member + " " + s + " must not start with '/' or contain '..', './' or '//'.");
  }
  return Status::Ok();
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::tm utc(int64_t time_ms) {
  const std::time_t secs = static_cast<std::time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string value_of(const std::string& name, const KeyValues& v, const std::tm& tm) {
  if (name == "channel-name") return v.channel_name;
  if (name == "channel-id") return v.channel_id;
  if (name == "stream-name") return v.stream_name;
  if (name == "yyyy") return std::to_string(tm.tm_year + 1900);
  if (name == "yy") return two((tm.tm_year + 1900) % 100);
  if (name == "MM") return two(tm.tm_mon + 1);
  if (name == "dd") return two(tm.tm_mday);
  if (name == "HH") return two(tm.tm_hour);
  if (name == "mm") return two(tm.tm_min);
  if (name == "extension") return v.extension;
  if (name.rfind("extension:", 0) == 0) return name.substr(10);
  return {};
}

}  // namespace

Status check_key_template(const std::string& t) {
  if (auto s = check_path(t, "OutputKeyTemplate"); !s) return s;
  if (t.back() == '/') return invalid("OutputKeyTemplate " + t + " must not end with '/'.");
  auto parts = parse(t);
  if (!parts) return parts.error();
  for (const auto& p : parts.value()) {
    if (!p.variable) {
      if (p.text.find('{') != std::string::npos || p.text.find('}') != std::string::npos)
        return invalid("OutputKeyTemplate has a '{' or '}' outside a !{variable}.");
      continue;
    }
    bool known = p.text == "extension" || (p.text.rfind("extension:", 0) == 0 && p.text.size() > 10);
    for (auto v : kVariables) known = known || p.text == v;
    if (!known) return invalid("OutputKeyTemplate contains an unknown variable !{" + p.text + "}.");
    if (p.text.find('/') != std::string::npos)
      return invalid("OutputKeyTemplate !{" + p.text + "} contains '/'.");
    if (p.text.rfind("extension:", 0) == 0) {
      const std::string ext = p.text.substr(10);
      const bool plain = std::all_of(ext.begin(), ext.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
      if (!plain || ext.find("..") != std::string::npos) {
        return invalid("OutputKeyTemplate !{" + p.text + "} may use only letters, digits, '.', '_' and '-'.");
      }
    }
  }
  return Status::Ok();
}

Status check_key_prefix(const std::string& prefix, const std::string& member) {
  return check_path(prefix, member);
}

Status check_bucket_name(const std::string& b, const std::string& member) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (b.size() < 3 || b.size() > 63 || !alnum(b.front()) || !alnum(b.back()) ||
      b.find("..") != std::string::npos) {
    return invalid("The bucket name " + b + " in " + member +
                   " is not valid: it must start and end with a letter or digit and not contain '..'.");
  }
  return Status::Ok();
}

bool zstd_available() {
#ifdef KINESISD_HAVE_ZSTD
  return true;
#else
  return false;
#endif
}

std::string object_extension(const std::string& format, const std::string& compression) {
  std::string ext = format == "JSON" ? ".json" : format == "STRING" ? ".txt" : ".bin";
  if (compression == "GZIP") ext += ".gz";
  if (compression == "ZSTD") ext += ".zst";
  return ext;
}

std::string render_key(const std::string& key_template, const KeyValues& v) {
  const std::tm tm = utc(v.time_ms);
  auto parts = parse(key_template);
  if (!parts) return key_template + v.unique;
  const auto& list = parts.value();
  const bool ends_with_extension =
      !list.empty() && list.back().variable && list.back().text.rfind("extension", 0) == 0;
  std::string key;
  for (size_t i = 0; i < list.size(); ++i) {
    if (ends_with_extension && i + 1 == list.size()) key += v.unique;
    key += list[i].variable ? value_of(list[i].text, v, tm) : list[i].text;
  }
  if (!ends_with_extension) key += v.unique;
  return safe_relative_key(key);
}

std::string safe_relative_key(const std::string& key) {
  // Variables (names, extensions) are substituted after the template was checked: a component they turn into "",
  // "." or ".." would leave the bucket's directory, so it is replaced; the key stays inside the bucket.
  std::string out;
  size_t start = 0;
  for (;;) {
    const size_t slash = key.find('/', start);
    std::string part = key.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    for (auto& c : part)
      if (c == '\\' || c == '\0') c = '_';
    if (part.empty() || part == "." || part == "..") part = "_";
    if (!out.empty()) out += '/';
    out += part;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string dated_prefix(const std::string& prefix, int64_t time_ms) {
  const std::tm tm = utc(time_ms);
  return prefix + std::to_string(tm.tm_year + 1900) + "/" + two(tm.tm_mon + 1) + "/" + two(tm.tm_mday) + "/" +
         two(tm.tm_hour) + "/";
}

bool append_record(const std::string& format, std::string_view data, std::string& out, std::string* why) {
  if (format == "JSON") {
    rapidjson::Document doc;
    // Iterative: a record (up to 10 MiB) of nested arrays would overflow the stack of a recursive parse.
    doc.Parse<rapidjson::kParseIterativeFlag>(data.data(), data.size());
    if (doc.HasParseError()) {
      *why = "The record is not valid JSON.";
      return false;
    }
    for (char c : data) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    out.push_back('\n');
    return true;
  }
  if (format == "STRING") {
    if (!is_valid_utf8(data)) {
      *why = "The record is not a valid UTF-8 string.";
      return false;
    }
    out.append(data);
    out.push_back('\n');
    return true;
  }
  out.append(data);
  return true;
}

Result<std::string> compress(const std::string& compression, const std::string& content) {
  if (compression == "GZIP") {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return make_error(ErrorCode::kInternal, "gzip: deflateInit2 failed");
    std::string out(deflateBound(&z, static_cast<uLong>(content.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
    z.avail_in = static_cast<uInt>(content.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return make_error(ErrorCode::kInternal, "gzip: deflate failed");
    return out;
  }
  if (compression == "ZSTD") {
#ifdef KINESISD_HAVE_ZSTD
    std::string out(ZSTD_compressBound(content.size()), '\0');
    const size_t n = ZSTD_compress(out.data(), out.size(), content.data(), content.size(), 3);
    if (ZSTD_isError(n))
      return make_error(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
#else
    return make_error(ErrorCode::kInternal, "this kinesisd was built without libzstd");
#endif
  }
  return content;
}

}  // namespace kinesisd::engine
