// engine/channel_output: object keys from OutputKeyTemplate, record formats, dead-letter rules, compression.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "kinesisd/engine/channel_meta.hpp"
#include "kinesisd/engine/channel_output.hpp"

namespace kinesisd::engine {
namespace {

constexpr int64_t kTime = 1'767'323'096'789;  // 2026-01-02T03:04:56.789Z

std::string gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(ChannelOutput, DefaultTemplateRendersWithTheSuffixBeforeTheExtension) {
  KeyValues v{"orders", "abcd1234efgh5678", "stream-a", kTime, ".json.gz", "-shardId-000000000001-49"};
  EXPECT_EQ(render_key(kDefaultOutputKeyTemplate, v),
            "kinesis-channel/orders/abcd1234efgh5678/2026/01/02/03/"
            "orders-abcd1234efgh5678-2026-01-02-03-04-shardId-000000000001-49.json.gz");
  EXPECT_TRUE(check_key_template(kDefaultOutputKeyTemplate).ok());
}

TEST(ChannelOutput, CustomTemplates) {
  KeyValues v{"c", "id", "s", kTime, ".txt", "-u"};
  EXPECT_EQ(render_key("data/!{stream-name}/!{yy}!{MM}!{dd}/!{HH}-!{mm}", v), "data/s/260102/03-04-u");
  EXPECT_EQ(render_key("x/!{channel-id}!{extension:.log}", v), "x/id-u.log");
  EXPECT_EQ(dated_prefix("errors/", kTime), "errors/2026/01/02/03/");
}

TEST(ChannelOutput, SubstitutedNamesCannotLeaveTheBucket) {
  // Names may be "." or ".." (their patterns allow it) and extensions are free text: the rendered key is
  // sanitised component by component, so the object stays under the bucket's directory.
  KeyValues dots{"..", "id", ".", kTime, ".txt", "-u"};
  EXPECT_EQ(render_key("!{channel-name}/!{channel-name}/!{stream-name}/x", dots), "_/_/_/x-u");
  EXPECT_EQ(safe_relative_key("a//b/./c/../d\\e"), "a/_/b/_/c/_/d_e");
  EXPECT_EQ(safe_relative_key(""), "_");
  EXPECT_FALSE(check_key_template("x/!{extension:/../..}").ok());
  EXPECT_FALSE(check_key_template("x/!{extension:..}").ok());
  EXPECT_FALSE(check_key_template("x/!{extension:a b}").ok());
  EXPECT_TRUE(check_key_template("x/!{extension:.log.gz}").ok());
}

TEST(ChannelOutput, TemplateRules) {
  EXPECT_TRUE(check_key_template("a/!{yyyy}/b").ok());
  for (const char* bad : {"/abs/!{yyyy}", "a/../b", "a/./b", "a//b", "a/b/", "a/!{nope}", "a/!{yyyy", "a/{x}",
                          "!{extension:a/b}"}) {
    Status s = check_key_template(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << bad;
    }
  }
  EXPECT_TRUE(check_key_prefix("kinesis-channel/errors/c/id/", "ErrorOutputPrefix").ok());
  EXPECT_FALSE(check_key_prefix("../up/", "ErrorOutputPrefix").ok());
}

TEST(ChannelOutput, BucketNames) {
  EXPECT_EQ(bucket_name("arn:aws:s3:::my-bucket"), "my-bucket");
  EXPECT_TRUE(check_bucket_name("my-bucket.v2", "StorageConfiguration").ok());
  for (const char* bad : {"ab", ".abc", "abc.", "a..b", "-ab"})
    EXPECT_FALSE(check_bucket_name(bad, "x").ok()) << bad;
}

TEST(ChannelOutput, JsonRecordsOnALineAndInvalidOnesRefused) {
  std::string out, why;
  EXPECT_TRUE(append_record("JSON", "{\"a\":\n 1}", out, &why));
  EXPECT_TRUE(append_record("JSON", "[1,2]", out, &why));
  EXPECT_EQ(out, "{\"a\":  1}\n[1,2]\n");
  EXPECT_FALSE(append_record("JSON", "{not json", out, &why));
  EXPECT_EQ(why, "The record is not valid JSON.");
  EXPECT_EQ(out, "{\"a\":  1}\n[1,2]\n");
}

TEST(ChannelOutput, StringRecordsMustBeUtf8) {
  std::string out, why;
  EXPECT_TRUE(append_record("STRING", "h\xC3\xA9llo \xF0\x9F\x98\x80", out, &why));
  EXPECT_EQ(out, "h\xC3\xA9llo \xF0\x9F\x98\x80\n");
  for (const char* bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
    EXPECT_FALSE(append_record("STRING", bad, out, &why));
  }
}

TEST(ChannelOutput, ByteArraysAreConcatenated) {
  std::string out, why;
  EXPECT_TRUE(append_record("BYTE_ARRAY", std::string("\x00\xFF", 2), out, &why));
  EXPECT_TRUE(append_record("BYTE_ARRAY", "ab", out, &why));
  EXPECT_EQ(out, std::string("\x00\xFF"
                             "ab",
                             4));
}

TEST(ChannelOutput, ExtensionsAndCompression) {
  EXPECT_EQ(object_extension("JSON", "NONE"), ".json");
  EXPECT_EQ(object_extension("STRING", "GZIP"), ".txt.gz");
  EXPECT_EQ(object_extension("BYTE_ARRAY", "ZSTD"), ".bin.zst");
  const std::string text(10000, 'k');
  EXPECT_EQ(compress("NONE", text).value(), text);
  auto gz = compress("GZIP", text);
  ASSERT_TRUE(gz.ok());
  EXPECT_LT(gz->size(), text.size());
  EXPECT_EQ(gunzip(gz.value()), text);
  auto zst = compress("ZSTD", text);
  EXPECT_EQ(zst.ok(), zstd_available());
}

}  // namespace
}  // namespace kinesisd::engine
