#include "kinesisd/protocol/service_model.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace kinesisd {
extern const std::string_view kServiceModelJson;
extern const std::string_view kServiceModelOverlayJson;
}

namespace kinesisd::protocol {
namespace {

ShapeType parse_type(const std::string& t) {
  if (t == "structure") return ShapeType::kStructure;
  if (t == "list") return ShapeType::kList;
  if (t == "map") return ShapeType::kMap;
  if (t == "string") return ShapeType::kString;
  if (t == "integer") return ShapeType::kInteger;
  if (t == "long") return ShapeType::kLong;
  if (t == "boolean") return ShapeType::kBoolean;
  if (t == "blob") return ShapeType::kBlob;
  if (t == "timestamp") return ShapeType::kTimestamp;
  throw std::runtime_error("unknown shape type " + t);
}

// The allowed characters of a pattern "[...]+" made of literal characters and a-z style ranges, or null when
// the pattern is anything else.
std::unique_ptr<std::array<bool, 256>> compile_plus_class(const std::string& p) {
  if (p.size() < 4 || p.front() != '[' || p.substr(p.size() - 2) != "]+") return nullptr;
  const std::string body = p.substr(1, p.size() - 3);
  if (body.empty() || body[0] == '^') return nullptr;
  auto allowed = std::make_unique<std::array<bool, 256>>();
  allowed->fill(false);
  for (size_t i = 0; i < body.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\\' || c == '[' || c == ']') return nullptr;
    if (i + 2 < body.size() && body[i + 1] == '-') {
      const unsigned char last = static_cast<unsigned char>(body[i + 2]);
      if (last < c || last == '\\') return nullptr;
      for (unsigned v = c; v <= last; ++v) (*allowed)[v] = true;
      i += 2;
    } else {
      (*allowed)[c] = true;
    }
  }
  return allowed;
}

// Applies an overlay (shapes added or replaced, members added, required members dropped, operations added).
void apply_overlay(rapidjson::Document& doc, std::string_view overlay_json) {
  rapidjson::Document overlay;
  overlay.Parse(overlay_json.data(), overlay_json.size());
  if (overlay.HasParseError() || !overlay.IsObject()) throw std::runtime_error("model overlay is not a JSON object");
  auto& alloc = doc.GetAllocator();
  auto& shapes = doc["shapes"];
  auto replace = [&](rapidjson::Value& target, const rapidjson::Value& name, const rapidjson::Value& value) {
    rapidjson::Value copy(value, alloc);
    auto it = target.FindMember(name);
    if (it != target.MemberEnd()) {
      it->value = copy;
    } else {
      target.AddMember(rapidjson::Value(name, alloc), copy, alloc);
    }
  };
  auto shape_of = [&](const rapidjson::Value& name) -> rapidjson::Value& {
    auto it = shapes.FindMember(name);
    if (it == shapes.MemberEnd() || !it->value.IsObject())
      throw std::runtime_error(std::string("model overlay names an unknown shape: ") + name.GetString());
    return it->value;
  };
  if (overlay.HasMember("shapes"))
    for (auto it = overlay["shapes"].MemberBegin(); it != overlay["shapes"].MemberEnd(); ++it)
      replace(shapes, it->name, it->value);
  if (overlay.HasMember("addMembers")) {
    for (auto it = overlay["addMembers"].MemberBegin(); it != overlay["addMembers"].MemberEnd(); ++it) {
      auto& members = shape_of(it->name)["members"];
      for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) replace(members, m->name, m->value);
    }
  }
  if (overlay.HasMember("dropRequired")) {
    for (auto it = overlay["dropRequired"].MemberBegin(); it != overlay["dropRequired"].MemberEnd(); ++it) {
      auto& shape = shape_of(it->name);
      if (!shape.HasMember("required")) continue;
      auto& required = shape["required"];
      for (const auto& drop : it->value.GetArray())
        for (auto r = required.Begin(); r != required.End();)
          r = (*r == drop) ? required.Erase(r) : r + 1;
    }
  }
  if (overlay.HasMember("operations"))
    for (auto it = overlay["operations"].MemberBegin(); it != overlay["operations"].MemberEnd(); ++it)
      replace(doc["operations"], it->name, it->value);
}

std::string lower_first(const std::string& s) {
  std::string out = s;
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

bool Shape::matches_pattern(std::string_view text) const {
  if (plus_class) {
    if (text.empty()) return false;
    for (unsigned char c : text)
      if (!(*plus_class)[c]) return false;
    return true;
  }
  if (regex) return std::regex_match(text.begin(), text.end(), *regex);
  return true;
}

const Member* Shape::find_member(std::string_view wire_name) const {
  for (const auto& m : members)
    if (m.name == wire_name) return &m;
  return nullptr;
}

std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view json, std::string_view overlay) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("shapes") || !doc.HasMember("operations"))
    throw std::runtime_error("not a service model");
  if (doc["shapes"].IsObject() && doc["operations"].IsObject() && !overlay.empty()) apply_overlay(doc, overlay);
  if (!doc["shapes"].IsObject() || !doc["operations"].IsObject() || !doc.HasMember("metadata") ||
      !doc["metadata"].IsObject() || !doc["metadata"].HasMember("targetPrefix") ||
      !doc["metadata"]["targetPrefix"].IsString())
    throw std::runtime_error("not a service model: no metadata.targetPrefix");
  auto model = std::make_unique<ServiceModel>();
  model->target_prefix_ = doc["metadata"]["targetPrefix"].GetString();
  model->empty_input_.name = "EmptyInput";
  model->empty_input_.type = ShapeType::kStructure;

  const auto& shapes = doc["shapes"];
  for (auto it = shapes.MemberBegin(); it != shapes.MemberEnd(); ++it) {
    if (!it->value.IsObject() || !it->value.HasMember("type") || !it->value["type"].IsString())
      throw std::runtime_error(std::string("shape without a type: ") + it->name.GetString());
    auto shape = std::make_unique<Shape>();
    shape->name = it->name.GetString();
    shape->type = parse_type(it->value["type"].GetString());
    model->shapes_.emplace(shape->name, std::move(shape));
  }
  auto ref = [&](const rapidjson::Value& v) -> const Shape* {
    if (!v.IsObject() || !v.HasMember("shape") || !v["shape"].IsString())
      throw std::runtime_error("malformed shape reference");
    auto found = model->shapes_.find(v["shape"].GetString());
    if (found == model->shapes_.end()) throw std::runtime_error("dangling shape reference");
    return found->second.get();
  };
  for (auto it = shapes.MemberBegin(); it != shapes.MemberEnd(); ++it) {
    Shape& shape = *model->shapes_.at(it->name.GetString());
    const auto& def = it->value;
    if (def.HasMember("min")) shape.min = def["min"].GetInt64();
    if (def.HasMember("max")) shape.max = def["max"].GetInt64();
    if (def.HasMember("pattern")) {
      shape.pattern = def["pattern"].GetString();
      shape.plus_class = compile_plus_class(shape.pattern);
      if (!shape.plus_class)
        shape.regex = std::make_unique<std::regex>(shape.pattern, std::regex::ECMAScript | std::regex::optimize);
    }
    if (def.HasMember("enum"))
      for (const auto& e : def["enum"].GetArray()) shape.enum_values.emplace_back(e.GetString());
    shape.eventstream = def.HasMember("eventstream") && def["eventstream"].GetBool();
    shape.exception = def.HasMember("exception") && def["exception"].GetBool();
    if (def.HasMember("member")) shape.member = ref(def["member"]);
    if (def.HasMember("key")) shape.key = ref(def["key"]);
    if (def.HasMember("value")) shape.value = ref(def["value"]);
    if (def.HasMember("members")) {
      std::vector<std::string> required;
      if (def.HasMember("required"))
        for (const auto& r : def["required"].GetArray()) required.emplace_back(r.GetString());
      for (auto m = def["members"].MemberBegin(); m != def["members"].MemberEnd(); ++m) {
        Member member;
        member.name = m->name.GetString();
        member.path_name = lower_first(member.name);
        member.shape = ref(m->value);
        member.required = std::find(required.begin(), required.end(), member.name) != required.end();
        shape.members.push_back(std::move(member));
      }
    }
  }
  const auto& ops = doc["operations"];
  for (auto it = ops.MemberBegin(); it != ops.MemberEnd(); ++it) {
    Operation op;
    op.name = it->name.GetString();
    op.input = it->value.HasMember("input") ? ref(it->value["input"]) : &model->empty_input_;
    op.output = it->value.HasMember("output") ? ref(it->value["output"]) : nullptr;
    if (it->value.HasMember("errors"))
      for (const auto& e : it->value["errors"].GetArray()) op.errors.emplace_back(e["shape"].GetString());
    model->operation_names_.push_back(op.name);
    model->operations_.emplace(op.name, std::move(op));
  }
  std::sort(model->operation_names_.begin(), model->operation_names_.end());
  return model;
}

const ServiceModel& ServiceModel::instance() {
  static const std::unique_ptr<ServiceModel> model = parse(kServiceModelJson, kServiceModelOverlayJson);
  return *model;
}

const Operation* ServiceModel::find_operation(std::string_view name) const {
  auto it = operations_.find(std::string(name));
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::find_shape(std::string_view name) const {
  auto it = shapes_.find(std::string(name));
  return it == shapes_.end() ? nullptr : it->second.get();
}

}  // namespace kinesisd::protocol
