// Small helpers the catalog's JSON codecs (streams, channels) share: writing named members, tag maps, and
// reading members of an object while keeping the first problem found.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <string>

namespace kinesisd::engine {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void put(JsonWriter& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
inline void put(JsonWriter& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

// "tags": {key: value, ...}
inline void put_tags(JsonWriter& w, const std::map<std::string, std::string>& tags) {
  w.Key("tags");
  w.StartObject();
  for (const auto& [k, v] : tags) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
}

// The string members of `v` (when it is an object) into `tags`.
inline void read_tags(const rapidjson::Value& v, std::map<std::string, std::string>& tags) {
  if (!v.IsObject()) return;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
    if (it->value.IsString())
      tags[std::string(it->name.GetString(), it->name.GetStringLength())] =
          std::string(it->value.GetString(), it->value.GetStringLength());
}

// Reads members of one object; the first missing required member is kept in `problem`, worded
// "<missing> string <key>" / "<missing> number <key>".
class FieldReader {
 public:
  FieldReader(const rapidjson::Value& obj, const char* missing) : obj_(obj), missing_(missing) {}

  std::string str(const char* key, bool required = true) {
    auto it = obj_.FindMember(key);
    if (it == obj_.MemberEnd() || !it->value.IsString()) {
      if (required && problem.empty()) problem = missing_ + " string " + key;
      return {};
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
  }
  int64_t num(const char* key, int64_t fallback = 0, bool required = true) {
    auto it = obj_.FindMember(key);
    if (it == obj_.MemberEnd() || !it->value.IsInt64()) {
      if (required && problem.empty()) problem = missing_ + " number " + key;
      return fallback;
    }
    return it->value.GetInt64();
  }

  std::string problem;

 private:
  const rapidjson::Value& obj_;
  std::string missing_;
};

}  // namespace kinesisd::engine
