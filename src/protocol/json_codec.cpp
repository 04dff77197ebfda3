#include "kinesisd/protocol/json_codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cmath>
#include <cstdio>

#include "kinesisd/util/base64.hpp"
#include "kinesisd/util/utf8.hpp"

namespace kinesisd::protocol {
namespace {

using Alloc = rapidjson::Document::AllocatorType;

Error type_error(std::string message) { return make_error(ErrorCode::kSerialization, std::move(message)); }

// Which structural mismatch applies when a JSON array/object stands where a scalar or other container belongs.
Status container_mismatch(const rapidjson::Value& v) {
  if (v.IsArray()) return type_error("Start of list found where not expected");
  return type_error("Start of structure or map found where not expected.");
}

Status normalise(const Shape& shape, rapidjson::Value& v, Alloc& alloc);

// Text members must be UTF-8: one stored invalid byte would make every later answer carrying it undecodable.
// JSON escapes count too: a lone "\udc00" decodes to a surrogate, which UTF-8 cannot carry.
Status check_utf8(const rapidjson::Value& v) {
  const size_t at = utf8_invalid_at(std::string_view(v.GetString(), v.GetStringLength()));
  if (at == std::string_view::npos) return Status::Ok();
  char msg[64];
  std::snprintf(msg, sizeof msg, "Invalid UTF-8 start byte 0x%02x",
                static_cast<unsigned>(static_cast<unsigned char>(v.GetString()[at])));
  return type_error(msg);
}

Status normalise_number(const Shape& shape, rapidjson::Value& v) {
  const char* java = shape.type == ShapeType::kInteger ? "Integer" : "Long";
  if (v.IsBool()) return type_error(std::string("class java.lang.Boolean can not be converted to an ") + java);
  if (v.IsString()) return type_error(std::string("class java.lang.String can not be converted to an ") + java);
  if (v.IsObject() || v.IsArray()) return container_mismatch(v);
  double d = 0;
  if (v.IsInt64()) {
    d = static_cast<double>(v.GetInt64());
  } else if (v.IsUint64()) {
    d = static_cast<double>(v.GetUint64());
  } else {
    d = std::floor(v.GetDouble());
  }
  // AWS does not refuse numbers beyond the member's Java type here; range constraints report them instead.
  if (d >= 9.2233720368547748e18) d = 9.2233720368547748e18 - 1024;
  if (d <= -9.2233720368547748e18) d = -9.2233720368547748e18;
  if (!v.IsInt64()) v.SetInt64(static_cast<int64_t>(d));
  return Status::Ok();
}

Status normalise_timestamp(rapidjson::Value& v) {
  if (v.IsBool()) return type_error("class java.lang.Boolean can not be converted to milliseconds since epoch");
  if (v.IsString()) return type_error("class java.lang.String can not be converted to milliseconds since epoch");
  if (v.IsObject() || v.IsArray()) return container_mismatch(v);
  const double seconds = v.GetDouble();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e14) return type_error("Timestamp out of range");
  v.SetInt64(static_cast<int64_t>(std::llround(seconds * 1000.0)));
  return Status::Ok();
}

Status normalise_scalar(const Shape& shape, rapidjson::Value& v, Alloc& alloc) {
  switch (shape.type) {
    case ShapeType::kBoolean:
      if (v.IsNumber()) return type_error("class java.math.BigDecimal can not be converted to an Boolean");
      if (v.IsString()) {
        std::string upper(v.GetString(), v.GetStringLength());
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return type_error(std::string("'").append(upper).append("' can not be converted to an Boolean"));
      }
      if (!v.IsBool()) return container_mismatch(v);
      return Status::Ok();
    case ShapeType::kInteger:
    case ShapeType::kLong: return normalise_number(shape, v);
    case ShapeType::kTimestamp: return normalise_timestamp(v);
    case ShapeType::kString:
      if (v.IsBool()) return type_error("class java.lang.Boolean can not be converted to an String");
      if (v.IsNumber()) return type_error("class java.math.BigDecimal can not be converted to an String");
      if (!v.IsString()) return container_mismatch(v);
      return check_utf8(v);
    case ShapeType::kBlob: {
      if (v.IsBool()) return type_error("class java.lang.Boolean can not be converted to a Blob");
      if (v.IsNumber()) return type_error("class java.math.BigDecimal can not be converted to a Blob");
      if (!v.IsString()) return container_mismatch(v);
      Base64Error why;
      auto bytes = base64_decode(std::string_view(v.GetString(), v.GetStringLength()), &why);
      if (!bytes) {
        std::string msg = "'";
        msg.append(v.GetString(), v.GetStringLength()).append("' can not be converted to a Blob: ").append(why.reason);
        return type_error(std::move(msg));
      }
      v.SetString(bytes->data(), static_cast<rapidjson::SizeType>(bytes->size()), alloc);
      return Status::Ok();
    }
    default: return Status::Ok();
  }
}

// A member whose value is null is absent, as in AWS's JSON protocol: it is removed here, so that no handler
// can mistake `"PartitionKey": null` for a key that is present.
Status normalise_structure(const Shape& shape, rapidjson::Value& v, Alloc& alloc) {
  for (auto it = v.MemberBegin(); it != v.MemberEnd();) {
    if (it->value.IsNull()) {
      it = v.EraseMember(it);
      continue;
    }
    const Member* m = shape.find_member(std::string_view(it->name.GetString(), it->name.GetStringLength()));
    if (m != nullptr) {  // unknown members are ignored, as AWS does
      if (auto s = normalise(*m->shape, it->value, alloc); !s) return s;
    }
    ++it;
  }
  return Status::Ok();
}

Status normalise(const Shape& shape, rapidjson::Value& v, Alloc& alloc) {
  switch (shape.type) {
    case ShapeType::kStructure:
      if (v.IsArray()) return type_error("Start of list found where not expected");
      if (!v.IsObject()) return type_error("Expected null");
      return normalise_structure(shape, v, alloc);
    case ShapeType::kList:
      if (v.IsObject()) return type_error("Start of structure or map found where not expected.");
      if (!v.IsArray()) return type_error("Expected list or null");
      for (auto& e : v.GetArray())
        if (!e.IsNull())
          if (auto s = normalise(*shape.member, e, alloc); !s) return s;
      return Status::Ok();
    case ShapeType::kMap:
      if (v.IsArray()) return type_error("Start of list found where not expected");
      if (!v.IsObject()) return type_error("Expected map or null");
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        if (auto s = check_utf8(it->name); !s) return s;  // map keys are text too (tag keys)
        if (!it->value.IsNull())
          if (auto s = normalise(*shape.value, it->value, alloc); !s) return s;
      }
      return Status::Ok();
    default: return normalise_scalar(shape, v, alloc);
  }
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write(const Shape& shape, const rapidjson::Value& v, Writer& w, std::string& scratch) {
  switch (shape.type) {
    case ShapeType::kStructure:
      w.StartObject();
      for (const auto& m : shape.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it == v.MemberEnd() || it->value.IsNull()) continue;
        w.Key(m.name.c_str(), static_cast<rapidjson::SizeType>(m.name.size()));
        write(*m.shape, it->value, w, scratch);
      }
      w.EndObject();
      return;
    case ShapeType::kList:
      w.StartArray();
      for (const auto& e : v.GetArray()) write(*shape.member, e, w, scratch);
      w.EndArray();
      return;
    case ShapeType::kMap:
      w.StartObject();
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        const std::string_view key =
            wire_utf8(std::string_view(it->name.GetString(), it->name.GetStringLength()), scratch);
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        write(*shape.value, it->value, w, scratch);
      }
      w.EndObject();
      return;
    case ShapeType::kBlob:
      scratch.clear();
      base64_encode_append(std::string_view(v.GetString(), v.GetStringLength()), scratch);
      w.String(scratch.data(), static_cast<rapidjson::SizeType>(scratch.size()));
      return;
    case ShapeType::kTimestamp: {
      const int64_t ms = v.GetInt64();
      if (ms % 1000 == 0) {
        w.Int64(ms / 1000);
      } else {
        w.Double(static_cast<double>(ms) / 1000.0);
      }
      return;
    }
    case ShapeType::kString: {
      // Whatever is stored (records written by an older build), the answer is UTF-8.
      const std::string_view text = wire_utf8(std::string_view(v.GetString(), v.GetStringLength()), scratch);
      w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
      return;
    }
    default: v.Accept(w); return;
  }
}

}  // namespace

Status json_decode_input(std::string& body, const Shape& shape, rapidjson::Document& out) {
  if (body.empty()) return make_error(ErrorCode::kSerialization, "");
  body.push_back('\0');
  // Iterative: nesting depth costs heap, not stack, so 100,000 '[' cannot overflow an I/O thread's stack.
  out.ParseInsitu<rapidjson::kParseIterativeFlag>(body.data());
  if (out.HasParseError() || !out.IsObject()) return make_error(ErrorCode::kSerialization, "");
  return normalise_structure(shape, out, out.GetAllocator());
}

std::string json_encode_output(const Shape* shape, const rapidjson::Value& value) {
  if (shape == nullptr || !value.IsObject()) return "{}";
  // Reused per thread (encoding never suspends): the buffer, the writer's level stack and the scratch string keep
  // their capacity, so a small answer costs one allocation, the returned string.
  struct Encoder {
    rapidjson::StringBuffer buffer;
    Writer writer{buffer};
    std::string scratch;
  };
  thread_local Encoder e;
  e.buffer.Clear();
  e.writer.Reset(e.buffer);
  write(*shape, value, e.writer, e.scratch);
  std::string out(e.buffer.GetString(), e.buffer.GetSize());
  if (e.buffer.GetSize() > 1024 * 1024) {  // don't keep a large GetRecords answer's buffer around
    e.buffer.Clear();
    e.buffer.ShrinkToFit();
  }
  return out;
}

std::string json_encode_error(std::string_view type, std::string_view message) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("__type");
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  if (!message.empty()) {
    w.Key("message");
    std::string scratch;
    const std::string_view clean = wire_utf8(message, scratch);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace kinesisd::protocol
