#include "kinesisd/protocol/cbor_codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kinesisd/util/utf8.hpp"

namespace kinesisd::protocol {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
constexpr int kMaxDepth = 64;
constexpr uint8_t kBreak = 0xFF;

enum Major : uint8_t { kUint = 0, kNegInt = 1, kBytes = 2, kText = 3, kArray = 4, kMap = 5, kTag = 6, kSimple = 7 };

Error bad(const std::string& why) { return make_error(ErrorCode::kSerialization, "Malformed CBOR request: " + why); }

class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool at_end() const { return p_ == end_; }
  bool peek_break() const { return p_ < end_ && static_cast<uint8_t>(*p_) == kBreak; }
  void skip_break() { ++p_; }

  // Reads an item head. `indefinite` is set for additional info 31 (arrays, maps, strings, break).
  bool head(uint8_t& major, uint64_t& arg, bool& indefinite, uint8_t& info) {
    if (p_ >= end_) return false;
    const uint8_t b = static_cast<uint8_t>(*p_++);
    major = b >> 5;
    info = b & 0x1F;
    indefinite = false;
    if (info < 24) {
      arg = info;
      return true;
    }
    if (info == 31) {
      indefinite = true;
      return major == kBytes || major == kText || major == kArray || major == kMap;
    }
    if (info > 27) return false;
    const size_t n = size_t{1} << (info - 24);
    if (static_cast<size_t>(end_ - p_) < n) return false;
    arg = 0;
    for (size_t i = 0; i < n; ++i) arg = (arg << 8) | static_cast<uint8_t>(*p_++);
    return true;
  }

  // A byte or text string (definite or chunked), appended to `out`.
  bool string(uint8_t major, uint64_t arg, bool indefinite, std::string& out) {
    if (!indefinite) return take(arg, out);
    for (;;) {
      if (peek_break()) {
        skip_break();
        return true;
      }
      uint8_t m = 0, info = 0;
      uint64_t len = 0;
      bool ind = false;
      if (!head(m, len, ind, info) || m != major || ind || !take(len, out)) return false;
    }
  }

  // A float from a major-7 item with additional info 25/26/27, already read as `arg`.
  static double to_double(uint8_t info, uint64_t arg) {
    if (info == 27) {
      double d;
      std::memcpy(&d, &arg, 8);
      return d;
    }
    if (info == 26) {
      const uint32_t bits = static_cast<uint32_t>(arg);
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    const int exp = (arg >> 10) & 0x1F, mant = arg & 0x3FF;  // half precision
    const double v = exp == 0 ? std::ldexp(mant, -24) : exp != 31 ? std::ldexp(mant + 1024, exp - 25) : NAN;
    return (arg & 0x8000) ? -v : v;
  }

  // Skips one whole item (an unknown member's value).
  bool skip(int depth) {
    if (depth > kMaxDepth) return false;
    uint8_t major = 0, info = 0;
    uint64_t arg = 0;
    bool ind = false;
    if (!head(major, arg, ind, info)) return false;
    switch (major) {
      case kUint:
      case kNegInt: return true;
      case kBytes:
      case kText: {
        std::string sink;
        return string(major, arg, ind, sink);
      }
      case kArray:
      case kMap: {
        const uint64_t per = major == kMap ? 2 : 1;
        if (ind) {
          while (!peek_break())
            if (at_end() || !skip(depth + 1)) return false;
          skip_break();
          return true;
        }
        for (uint64_t i = 0; i < arg * per; ++i)
          if (!skip(depth + 1)) return false;
        return true;
      }
      case kTag: return skip(depth + 1);
      default: return true;  // simple values and floats: their argument is already consumed
    }
  }

 private:
  bool take(uint64_t n, std::string& out) {
    if (static_cast<uint64_t>(end_ - p_) < n) return false;
    out.append(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }
  const char* p_;
  const char* end_;
};

class Decoder {
 public:
  Decoder(std::string_view body, Alloc& alloc) : r_(body), alloc_(alloc) {}

  Status top(const Shape& shape, rapidjson::Value& out) {
    if (auto s = value(shape, out, 0); !s) return s;
    if (!r_.at_end()) return bad("trailing bytes after the request map");
    if (!out.IsObject()) return bad("the request is not a map");
    return Status::Ok();
  }

 private:
  Status value(const Shape& shape, rapidjson::Value& out, int depth) {
    if (depth > kMaxDepth) return bad("nested too deeply");
    uint8_t major = 0, info = 0;
    uint64_t arg = 0;
    bool ind = false;
    if (!r_.head(major, arg, ind, info)) return bad("truncated or invalid item");
    if (major == kSimple && (info == 22 || info == 23)) {  // null, undefined: as if absent
      out.SetNull();
      return Status::Ok();
    }
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kMap: return map(shape, major, arg, ind, out, depth);
      case ShapeType::kList: {
        if (major != kArray) return type_error(shape);
        out.SetArray();
        for (uint64_t i = 0; ind ? !r_.peek_break() : i < arg; ++i) {
          if (r_.at_end()) return bad("truncated array");
          rapidjson::Value element;
          if (auto s = value(*shape.member, element, depth + 1); !s) return s;
          out.PushBack(element, alloc_);
        }
        if (ind) r_.skip_break();
        return Status::Ok();
      }
      case ShapeType::kString:
      case ShapeType::kBlob: {
        if (major != (shape.type == ShapeType::kString ? kText : kBytes)) return type_error(shape);
        std::string s;
        if (!r_.string(major, arg, ind, s)) return bad("truncated string");
        if (major == kText && !is_valid_utf8(s)) return bad("a text string is not valid UTF-8");
        out.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc_);
        return Status::Ok();
      }
      case ShapeType::kBoolean:
        if (major != kSimple || (info != 20 && info != 21)) return type_error(shape);
        out.SetBool(info == 21);
        return Status::Ok();
      case ShapeType::kInteger:
      case ShapeType::kLong: return number(shape, major, arg, info, out);
      case ShapeType::kTimestamp:
        if (major == kTag) {
          if (arg != 1) return type_error(shape);
          if (!r_.head(major, arg, ind, info)) return bad("truncated timestamp");
        }
        return number(shape, major, arg, info, out);  // epoch milliseconds, AWS's convention
    }
    return type_error(shape);
  }

  Status number(const Shape& shape, uint8_t major, uint64_t arg, uint8_t info, rapidjson::Value& out) {
    constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
    if (major == kUint) {
      out.SetInt64(static_cast<int64_t>(std::min(arg, kMax)));
    } else if (major == kNegInt) {
      out.SetInt64(arg >= kMax ? INT64_MIN : -1 - static_cast<int64_t>(arg));
    } else if (major == kSimple && info >= 25 && info <= 27) {
      const double d = std::floor(Reader::to_double(info, arg));
      if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return type_error(shape);  // no int64 can hold it
      out.SetInt64(static_cast<int64_t>(d));
    } else {
      return type_error(shape);
    }
    return Status::Ok();
  }

  Status map(const Shape& shape, uint8_t major, uint64_t arg, bool ind, rapidjson::Value& out, int depth) {
    if (major != kMap) return type_error(shape);
    out.SetObject();
    for (uint64_t i = 0; ind ? !r_.peek_break() : i < arg; ++i) {
      if (r_.at_end()) return bad("truncated map");
      uint8_t km = 0, kinfo = 0;
      uint64_t karg = 0;
      bool kind = false;
      std::string key;
      if (!r_.head(km, karg, kind, kinfo) || km != kText || !r_.string(km, karg, kind, key)) {
        return bad("a map key is not a text string");
      }
      if (!is_valid_utf8(key)) return bad("a map key is not valid UTF-8");
      const Shape* member = nullptr;
      if (shape.type == ShapeType::kMap) {
        member = shape.value;
      } else if (const Member* m = shape.find_member(key)) {
        member = m->shape;
      }
      if (member == nullptr) {  // unknown members are ignored, as AWS does
        if (!r_.skip(depth + 1)) return bad("truncated or invalid item");
        continue;
      }
      rapidjson::Value v;
      if (auto s = value(*member, v, depth + 1); !s) return s;
      if (v.IsNull()) continue;  // null and undefined members are absent, as in the JSON protocol
      // Appended without looking for an earlier copy of the key, as the JSON parser does: lookups then find
      // the first occurrence in both protocols, and a huge map costs linear, not quadratic, time.
      out.AddMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc_), v, alloc_);
    }
    if (ind) r_.skip_break();
    return Status::Ok();
  }

  static Error type_error(const Shape& shape) {
    return make_error(ErrorCode::kSerialization, "Unexpected CBOR type for a value of shape " + shape.name);
  }

  Reader r_;
  Alloc& alloc_;
};

// --- encoding ---

void head(std::string& out, uint8_t major, uint64_t arg) {
  const char m = static_cast<char>(major << 5);
  if (arg < 24) {
    out.push_back(static_cast<char>(m | static_cast<char>(arg)));
    return;
  }
  int bytes = arg <= 0xFF ? 1 : arg <= 0xFFFF ? 2 : arg <= 0xFFFFFFFFull ? 4 : 8;
  out.push_back(static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27)));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((arg >> (8 * i)) & 0xFF));
}

void integer(std::string& out, int64_t v) {
  if (v >= 0) {
    head(out, kUint, static_cast<uint64_t>(v));
  } else {
    head(out, kNegInt, static_cast<uint64_t>(-1 - v));
  }
}

void text(std::string& out, std::string_view s, uint8_t major = kText) {
  std::string scratch;
  if (major == kText) s = wire_utf8(s, scratch);  // whatever is stored, a text string on the wire is UTF-8
  head(out, major, s.size());
  out.append(s.data(), s.size());
}

void write(const Shape& shape, const rapidjson::Value& v, std::string& out) {
  switch (shape.type) {
    case ShapeType::kStructure: {
      uint64_t n = 0;
      for (const auto& m : shape.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it != v.MemberEnd() && !it->value.IsNull()) ++n;
      }
      head(out, kMap, n);
      for (const auto& m : shape.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it == v.MemberEnd() || it->value.IsNull()) continue;
        text(out, m.name);
        write(*m.shape, it->value, out);
      }
      return;
    }
    case ShapeType::kMap:
      head(out, kMap, v.MemberCount());
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        text(out, std::string_view(it->name.GetString(), it->name.GetStringLength()));
        write(*shape.value, it->value, out);
      }
      return;
    case ShapeType::kList:
      head(out, kArray, v.Size());
      for (const auto& e : v.GetArray()) write(*shape.member, e, out);
      return;
    case ShapeType::kBlob: text(out, std::string_view(v.GetString(), v.GetStringLength()), kBytes); return;
    case ShapeType::kString: text(out, std::string_view(v.GetString(), v.GetStringLength())); return;
    case ShapeType::kBoolean: out.push_back(static_cast<char>(v.GetBool() ? 0xF5 : 0xF4)); return;
    case ShapeType::kTimestamp:
      head(out, kTag, 1);
      integer(out, v.GetInt64());
      return;
    case ShapeType::kInteger:
    case ShapeType::kLong: integer(out, v.GetInt64()); return;
  }
}

}  // namespace

Status cbor_decode_input(std::string_view body, const Shape& shape, rapidjson::Document& out) {
  if (body.empty()) return bad("empty body");
  Decoder decoder(body, out.GetAllocator());
  return decoder.top(shape, out);
}

std::string cbor_encode_output(const Shape* shape, const rapidjson::Value& value) {
  if (shape == nullptr || !value.IsObject()) return std::string(1, static_cast<char>(0xA0));
  std::string out;
  write(*shape, value, out);
  return out;
}

std::string cbor_encode_error(std::string_view type, std::string_view message) {
  std::string out;
  head(out, kMap, message.empty() ? 1 : 2);
  text(out, "__type");
  text(out, type);
  if (!message.empty()) {
    text(out, "message");
    text(out, message);
  }
  return out;
}

}  // namespace kinesisd::protocol
