// The Kinesis service model (AWS's service-2.json, embedded at build time) as a graph of shapes.
// Decoding, validation and encoding are all driven by it, so a member, constraint or operation added to the
// model is handled without hand-written code per operation.
#pragma once

#include <cstdint>
#include <array>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kinesisd::protocol {

enum class ShapeType { kStructure, kList, kMap, kString, kInteger, kLong, kBoolean, kBlob, kTimestamp };

struct Shape;

struct Member {
  std::string name;        // as on the wire: "StreamName"
  std::string path_name;   // as AWS names it in validation messages: "streamName"
  const Shape* shape = nullptr;
  bool required = false;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  std::vector<Member> members;      // structure members, in declaration order
  const Shape* member = nullptr;    // list element
  const Shape* key = nullptr;       // map key
  const Shape* value = nullptr;     // map value
  std::optional<int64_t> min, max;  // length for strings/blobs/lists/maps, value for numbers
  std::string pattern;              // empty when none
  std::unique_ptr<std::regex> regex;
  // For patterns of the form [class]+ (most names in the model): the characters allowed, checked without regex.
  std::unique_ptr<std::array<bool, 256>> plus_class;

  bool matches_pattern(std::string_view text) const;
  std::vector<std::string> enum_values;
  bool eventstream = false;
  bool exception = false;

  const Member* find_member(std::string_view wire_name) const;
};

struct Operation {
  std::string name;
  const Shape* input = nullptr;   // never null: an empty structure when the model has none
  const Shape* output = nullptr;  // null when the operation returns no body
  std::vector<std::string> errors;
};

class ServiceModel {
 public:
  // The model compiled into this binary. Thread-safe; built on first use.
  static const ServiceModel& instance();
  // Parses a service-2.json document, with an optional overlay of later changes (see
  // model/kinesis-2026-overlay.json for its form). Throws std::runtime_error when either is malformed.
  static std::unique_ptr<ServiceModel> parse(std::string_view json, std::string_view overlay = {});

  const Operation* find_operation(std::string_view name) const;
  const Shape* find_shape(std::string_view name) const;
  const std::string& target_prefix() const { return target_prefix_; }
  const std::vector<std::string>& operation_names() const { return operation_names_; }

 private:
  std::string target_prefix_;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes_;
  std::unordered_map<std::string, Operation> operations_;
  std::vector<std::string> operation_names_;
  Shape empty_input_;
};

}  // namespace kinesisd::protocol
