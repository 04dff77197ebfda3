#include "kinesisd/protocol/validator.hpp"

#include <string>
#include <vector>

namespace kinesisd::protocol {
namespace {

constexpr size_t kMaxReported = 10;

// Java measures string length in UTF-16 code units; so does AWS's validator.
int64_t utf16_length(const rapidjson::Value& v) {
  const auto* p = reinterpret_cast<const unsigned char*>(v.GetString());
  int64_t n = 0;
  for (rapidjson::SizeType i = 0; i < v.GetStringLength(); ++i) {
    const unsigned char c = p[i];
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

int64_t length_of(const Shape& shape, const rapidjson::Value& v) {
  switch (shape.type) {
    case ShapeType::kString: return utf16_length(v);
    case ShapeType::kBlob: return v.GetStringLength();
    case ShapeType::kList: return v.Size();
    case ShapeType::kMap: return v.MemberCount();
    default: return 0;
  }
}

std::string render(const Shape& shape, const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  switch (shape.type) {
    case ShapeType::kBlob: {
      const auto n = std::to_string(v.GetStringLength());
      return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
    }
    case ShapeType::kString: return std::string(v.GetString(), v.GetStringLength());
    case ShapeType::kInteger:
    case ShapeType::kLong:
    case ShapeType::kTimestamp: return std::to_string(v.GetInt64());
    case ShapeType::kBoolean: return v.GetBool() ? "true" : "false";
    case ShapeType::kList: {
      std::string s = "[";
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        if (i) s += ", ";
        s += render(*shape.member, v[i]);
      }
      return s + "]";
    }
    case ShapeType::kMap: {
      std::string s = "{";
      bool first = true;
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        if (!first) s += ", ";
        first = false;
        s += std::string(it->name.GetString(), it->name.GetStringLength()) + "=" + render(*shape.value, it->value);
      }
      return s + "}";
    }
    case ShapeType::kStructure: {
      std::string s = shape.name + "(";
      bool first = true;
      for (const auto& m : shape.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it == v.MemberEnd() || it->value.IsNull()) continue;
        if (!first) s += ", ";
        first = false;
        s += m.name + "=" + render(*m.shape, it->value);
      }
      return s + ")";
    }
  }
  return "";
}

// The constraint texts of a scalar shape that `v` violates (all of them when `all` is set).
std::vector<std::string> violations(const Shape& shape, const rapidjson::Value& v, bool all) {
  std::vector<std::string> out;
  const bool is_number = shape.type == ShapeType::kInteger || shape.type == ShapeType::kLong;
  const bool has_length = shape.type == ShapeType::kString || shape.type == ShapeType::kBlob ||
                          shape.type == ShapeType::kList || shape.type == ShapeType::kMap;
  if (is_number) {
    if (shape.min && (all || v.GetInt64() < *shape.min))
      out.push_back("Member must have value greater than or equal to " + std::to_string(*shape.min));
    if (shape.max && (all || v.GetInt64() > *shape.max))
      out.push_back("Member must have value less than or equal to " + std::to_string(*shape.max));
  }
  if (!shape.enum_values.empty() && shape.type == ShapeType::kString) {
    bool found = false;
    if (!all)
      for (const auto& e : shape.enum_values)
        if (e.size() == v.GetStringLength() && e.compare(0, e.size(), v.GetString(), e.size()) == 0) found = true;
    if (all || !found) {
      std::string set;
      for (const auto& e : shape.enum_values) set += (set.empty() ? "" : ", ") + e;
      out.push_back("Member must satisfy enum value set: [" + set + "]");
    }
  }
  if (!shape.pattern.empty() && shape.type == ShapeType::kString) {
    if (all || !shape.matches_pattern(std::string_view(v.GetString(), v.GetStringLength())))
      out.push_back("Member must satisfy regular expression pattern: " + shape.pattern);
  }
  if (has_length) {
    const int64_t len = all ? 0 : length_of(shape, v);
    if (all) {
      if (shape.max) out.push_back("Member must have length less than or equal to " + std::to_string(*shape.max));
      if (shape.min) out.push_back("Member must have length greater than or equal to " + std::to_string(*shape.min));
    } else {
      if (shape.min && len < *shape.min)
        out.push_back("Member must have length greater than or equal to " + std::to_string(*shape.min));
      if (shape.max && len > *shape.max)
        out.push_back("Member must have length less than or equal to " + std::to_string(*shape.max));
    }
  }
  return out;
}

bool is_scalar(const Shape& s) { return s.type != ShapeType::kList && s.type != ShapeType::kMap && s.type != ShapeType::kStructure; }

class Checker {
 public:
  std::vector<std::string> errors;

  void add(const std::string& path, const Shape& shape, const rapidjson::Value& v, const std::string& what) {
    if (errors.size() >= kMaxReported) return;
    std::string value = render(shape, v);
    if (!v.IsNull()) value = "'" + value + "'";
    errors.push_back("Value " + value + " at '" + path + "' failed to satisfy constraint: " + what);
  }

  void structure(const Shape& shape, const rapidjson::Value& v, const std::string& prefix) {
    static const rapidjson::Value kNull;
    for (auto m = shape.members.rbegin(); m != shape.members.rend(); ++m) {
      auto it = v.FindMember(m->name.c_str());
      const rapidjson::Value& child = (it == v.MemberEnd()) ? kNull : it->value;
      const std::string path = prefix.empty() ? m->path_name : prefix + "." + m->path_name;
      if (child.IsNull()) {
        if (m->required) add(path, *m->shape, child, "Member must not be null");
        continue;
      }
      value(*m->shape, child, path);
    }
  }

  void value(const Shape& shape, const rapidjson::Value& v, const std::string& path) {
    for (const auto& text : violations(shape, v, false)) add(path, shape, v, text);
    if (shape.type == ShapeType::kStructure) {
      structure(shape, v, path);
    } else if (shape.type == ShapeType::kList) {
      if (!is_scalar(*shape.member)) {
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
          if (!v[i].IsNull()) value(*shape.member, v[i], path + "." + std::to_string(i + 1) + ".member");
        return;
      }
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        if (v[i].IsNull() || !violations(*shape.member, v[i], false).empty()) {
          add(path, shape, v, "Member must satisfy constraint: [" + joined(*shape.member, v[i]) + "]");
          break;
        }
      }
    } else if (shape.type == ShapeType::kMap) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        if (!violations(*shape.key, it->name, false).empty()) {
          add(path, shape, v, "Map keys must satisfy constraint: [" + joined(*shape.key, it->name) + "]");
          break;
        }
      }
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        if (is_scalar(*shape.value) && (it->value.IsNull() || !violations(*shape.value, it->value, false).empty())) {
          add(path, shape, v, "Map value must satisfy constraint: [" + joined(*shape.value, it->value) + "]");
          break;
        }
      }
    }
  }

  static std::string joined(const Shape& shape, const rapidjson::Value& sample) {
    std::string s;
    for (const auto& text : violations(shape, sample, true)) s += (s.empty() ? "" : ", ") + text;
    if (s.empty()) s = "Member must not be null";
    return s;
  }
};

}  // namespace

Status validate_input(const Shape& shape, const rapidjson::Value& input) {
  Checker checker;
  checker.structure(shape, input, "");
  if (checker.errors.empty()) return Status::Ok();
  const size_t n = checker.errors.size();
  std::string msg = std::to_string(n) + (n == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < n; ++i) {
    if (i) msg += "; ";
    msg += checker.errors[i];
  }
  return make_error(ErrorCode::kValidation, std::move(msg));
}

}  // namespace kinesisd::protocol
