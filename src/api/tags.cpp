// AddTagsToStream, RemoveTagsFromStream, ListTagsForStream (by StreamName/StreamARN) and TagResource,
// UntagResource, ListTagsForResource (by ResourceARN), with AWS's tag rules.
//
// Messages recorded from AWS by kinesalite (actions/addTagsToStream.js, actions/removeTagsFromStream.js and
// their tests): the invalid-character message, the '%' message (AWS lists '%' as valid, then refuses it) and the
// tag-count message. The allowed characters are kinesalite's: ASCII letters, digits, space and _ . / = + - @ : %,
// and the "Unicode letters" U+00C0-U+1FFF and U+2C00-U+D7FF.
#include <cstdint>
#include <string_view>

#include "kinesisd/api/catalog_writer.hpp"
#include "kinesisd/api/handlers.hpp"
#include "kinesisd/api/resources.hpp"

namespace kinesisd::api {
namespace {

constexpr std::string_view kAllowedAfter =
    " because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, "
    "'_',',','/','=','+','-','@',':'.";

bool allowed_ascii(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("_./=+-@:% ").find(static_cast<char>(c)) != std::string_view::npos;
}

// True when every character of `s` (UTF-8) is one AWS accepts in a tag.
bool valid_tag_chars(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!allowed_ascii(c)) return false;
      ++i;
      continue;
    }
    int extra = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else {
      return false;  // four-byte sequences (outside the BMP) and malformed input
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!((cp >= 0xC0 && cp <= 0x1FFF) || (cp >= 0x2C00 && cp <= 0xD7FF))) return false;
    i += 1 + extra;
  }
  return true;
}

bool reserved_key(std::string_view key) {
  if (key.size() < 4) return false;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  return lower(key[0]) == 'a' && lower(key[1]) == 'w' && lower(key[2]) == 's' && key[3] == ':';
}

Error invalid_characters() {
  return make_error(ErrorCode::kInvalidArgument,
                    "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
                    "_ . / = + - % @ :.");
}

std::string under(const std::string& subject, const std::string& account) {
  return subject + " under account " + account;
}

// Applies `change` to the tags of the resource the call resolved, atomically with the checks, and persists the
// catalog before answering.
boost::asio::awaitable<Output> change_tags(Services& services, const CallContext& ctx, const ResourceRef& ref,
                                           const std::function<Status(std::map<std::string, std::string>&)>& change) {
  auto s = services.registry->update_stream(ctx.region, ref.stream->name, ctx.now_ms, [&](engine::StreamMeta& m) {
    return change_resource(services, ctx, m, ref,
                           [&](std::map<std::string, std::string>& tags, std::string&) { return change(tags); });
  });
  if (!s) co_return s.error();
  if (auto p = co_await services.catalog->persist(); !p) co_return p.error();
  rapidjson::Document out(rapidjson::kObjectType);
  co_return out;
}

boost::asio::awaitable<Output> add_tags(Services& services, const CallContext& ctx, const ResourceRef& ref,
                                        const rapidjson::Value& in) {
  const auto tags = read_tag_map(get_object(in, "Tags"));
  const std::string subject = ref.subject();
  const std::string& account = ref.stream->account;
  if (auto s = check_tags_to_add(subject, account, tags); !s) co_return s.error();
  co_return co_await change_tags(services, ctx, ref, [&](std::map<std::string, std::string>& current) {
    auto merged = current;
    for (const auto& [k, v] : tags) merged[k] = v;
    if (auto s = check_tag_count(subject, account, merged); !s) return s;
    current = std::move(merged);
    return Status::Ok();
  });
}

boost::asio::awaitable<Output> remove_tags(Services& services, const CallContext& ctx, const ResourceRef& ref,
                                           const rapidjson::Value& in) {
  std::vector<std::string> keys;
  if (auto it = in.FindMember("TagKeys"); it != in.MemberEnd() && it->value.IsArray()) {
    for (const auto& k : it->value.GetArray())
      if (k.IsString()) keys.emplace_back(k.GetString(), k.GetStringLength());
  }
  if (auto s = check_tag_keys_to_remove(ref.subject(), ref.stream->account, keys); !s) co_return s.error();
  // AWS: "If you specify a tag that does not exist, it is ignored."
  co_return co_await change_tags(services, ctx, ref, [&](std::map<std::string, std::string>& current) {
    for (const auto& k : keys) current.erase(k);
    return Status::Ok();
  });
}

// Tags sorted by key, from after `start_after`, at most `limit`; true when more remain.
bool write_tags(const std::map<std::string, std::string>& tags, const std::optional<std::string>& start_after,
                std::optional<int64_t> limit, rapidjson::Value& list, rapidjson::Document::AllocatorType& alloc) {
  auto it = start_after ? tags.upper_bound(*start_after) : tags.begin();
  for (int64_t n = 0; it != tags.end(); ++it, ++n) {
    if (limit && n == *limit) return true;
    rapidjson::Value tag(rapidjson::kObjectType);
    OutBuilder(tag, alloc).str("Key", it->first).str("Value", it->second);
    list.PushBack(tag, alloc);
  }
  return false;
}

}  // namespace

std::map<std::string, std::string> read_tag_map(const rapidjson::Value* tags) {
  std::map<std::string, std::string> out;
  if (tags == nullptr) return out;
  for (auto it = tags->MemberBegin(); it != tags->MemberEnd(); ++it) {
    out[std::string(it->name.GetString(), it->name.GetStringLength())] =
        it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : "";
  }
  return out;
}

Status check_tags_to_add(const std::string& subject, const std::string& account,
                         const std::map<std::string, std::string>& tags) {
  for (const auto& [k, v] : tags)
    if (!valid_tag_chars(k) || !valid_tag_chars(v)) return invalid_characters();
  for (const auto& [k, v] : tags) {
    if (k.find('%') != std::string::npos || v.find('%') != std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Failed to add tags to " + under(subject, account) + std::string(kAllowedAfter));
    }
  }
  for (const auto& [k, v] : tags) {
    if (reserved_key(k)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Failed to add tags to " + under(subject, account) +
                            " because some tag keys start with the prefix 'aws:', which is reserved for use by AWS.");
    }
  }
  return Status::Ok();
}

Status check_tag_keys_to_remove(const std::string& subject, const std::string& account,
                                const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (!valid_tag_chars(k)) return invalid_characters();
  for (const auto& k : keys) {
    if (k.find('%') != std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Failed to remove tags from " + under(subject, account) + std::string(kAllowedAfter));
    }
  }
  for (const auto& k : keys) {
    if (reserved_key(k)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Failed to remove tags from " + under(subject, account) +
                            " because some tag keys start with the prefix 'aws:', which is reserved for use by AWS.");
    }
  }
  return Status::Ok();
}

Status check_tag_count(const std::string& subject, const std::string& account,
                       const std::map<std::string, std::string>& tags) {
  if (tags.size() <= kMaxTagsPerStream) return Status::Ok();
  return make_error(ErrorCode::kInvalidArgument, "Failed to add tags to " + under(subject, account) +
                                                     " because a given " + subject.substr(0, subject.find(' ')) + " cannot have more than " +
                                                     std::to_string(kMaxTagsPerStream) + " tags associated with it.");
}

KINESISD_HANDLER(add_tags_to_stream) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const ResourceRef ref{*stream, nullptr, ""};  // named: GCC 12 mishandles braced temporaries passed to coroutines
  co_return co_await add_tags(services, ctx, ref, in);
}

KINESISD_HANDLER(remove_tags_from_stream) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  const ResourceRef ref{*stream, nullptr, ""};  // named: GCC 12 mishandles braced temporaries passed to coroutines
  co_return co_await remove_tags(services, ctx, ref, in);
}

KINESISD_HANDLER(list_tags_for_stream) {
  auto stream = resolve_stream(services, ctx, in);
  if (!stream) co_return stream.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out, out.GetAllocator());
  auto& list = b.array("Tags");
  const bool more = write_tags((*stream)->tags, get_string(in, "ExclusiveStartTagKey"), get_int(in, "Limit"), list,
                               out.GetAllocator());
  b.boolean("HasMoreTags", more);
  co_return out;
}

KINESISD_HANDLER(tag_resource) {
  auto ref = resolve_resource_arn(services, ctx, in);
  if (!ref) co_return ref.error();
  co_return co_await add_tags(services, ctx, *ref, in);
}

KINESISD_HANDLER(untag_resource) {
  auto ref = resolve_resource_arn(services, ctx, in);
  if (!ref) co_return ref.error();
  co_return co_await remove_tags(services, ctx, *ref, in);
}

KINESISD_HANDLER(list_tags_for_resource) {
  auto ref = resolve_resource_arn(services, ctx, in);
  if (!ref) co_return ref.error();
  rapidjson::Document out(rapidjson::kObjectType);
  OutBuilder b(out, out.GetAllocator());
  write_tags(resource_tags(*ref), std::nullopt, std::nullopt, b.array("Tags"), out.GetAllocator());
  co_return out;
}

}  // namespace kinesisd::api
