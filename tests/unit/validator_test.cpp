// protocol::validate_input over documents decoded by protocol::json_decode_input: AWS's exact wording.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/protocol/validator.hpp"
#include "kinesisd/util/base64.hpp"

namespace kinesisd::protocol {
namespace {

// Decodes `body` for `operation` (which must succeed) and validates it. Returns "" when valid, else the message.
std::string validate(const std::string& operation, std::string body) {
  const Operation* op = ServiceModel::instance().find_operation(operation);
  EXPECT_NE(op, nullptr) << operation;
  if (op == nullptr) return "<no operation>";
  auto doc = std::make_unique<rapidjson::Document>();
  const Status decoded = json_decode_input(body, *op->input, *doc);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  if (!decoded.ok()) return "<decode failed>";
  const Status s = validate_input(*op->input, *doc);
  if (s.ok()) return "";
  EXPECT_EQ(s.error().code, ErrorCode::kValidation);
  return s.error().message;
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

TEST(Validator, ValidInputsPass) {
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":"my-stream_1.x","ShardCount":2,
      "StreamModeDetails":{"StreamMode":"PROVISIONED"},"Tags":{"team":"data","empty":""},
      "MaxRecordSizeInKiB":1024})"), "");
  EXPECT_EQ(validate("PutRecords", R"({"StreamName":"s","Records":[
      {"Data":"aGVsbG8=","PartitionKey":"k1"},{"Data":"","PartitionKey":"k2","ExplicitHashKey":"0"}]})"), "");
  EXPECT_EQ(validate("ListShards", R"({"StreamName":"s","MaxResults":10000,"StreamCreationTimestamp":1.5})"), "");
  EXPECT_EQ(validate("ListStreams", "{}"), "");
  EXPECT_EQ(validate("DescribeLimits", "{}"), "");
}

TEST(Validator, MissingRequiredMember) {
  EXPECT_EQ(validate("CreateStream", "{}"),
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null");
  // An explicit null is the same as absent.
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":null})"),
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Validator, MemberNamesAreCaseSensitive) {
  EXPECT_EQ(validate("CreateStream", R"({"streamName":"a","ShardCount":1})"),
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Validator, EmptyNameAndZeroShardCount) {
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":"","ShardCount":0})"),
            "3 validation errors detected: "
            "Value '0' at 'shardCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

TEST(Validator, MembersReportedInReverseDeclarationOrder) {
  EXPECT_EQ(validate("CreateStream", R"({"ShardCount":0,"MaxRecordSizeInKiB":1})"),
            "3 validation errors detected: "
            "Value '1' at 'maxRecordSizeInKiB' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1024; "
            "Value '0' at 'shardCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; "
            "Value null at 'streamName' failed to satisfy constraint: Member must not be null");
  // ListShards: StreamName, NextToken, ExclusiveStartShardId, MaxResults, ..., StreamARN.
  EXPECT_EQ(validate("ListShards", R"({"StreamName":"","MaxResults":0,"StreamARN":"x"})"),
            "4 validation errors detected: "
            "Value 'x' at 'streamARN' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+; "
            "Value '0' at 'maxResults' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

TEST(Validator, ValueUpperBound) {
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":"a","ShardCount":1,"MaxRecordSizeInKiB":10241})"),
            "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: "
            "Member must have value less than or equal to 10240");
  EXPECT_EQ(validate("ListShards", R"({"MaxResults":10001})"),
            "1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000");
}

TEST(Validator, PatternComesBeforeLengthWithinAMember) {
  const std::string name = std::string(129, 'a') + " ";
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":")" + name + R"(","ShardCount":1})"),
            "2 validation errors detected: Value '" + name + "' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '" + name +
            "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128");
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":")" + std::string(128, 'z') + R"(","ShardCount":1})"), "");
}

TEST(Validator, EnumViolationInNestedStructure) {
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":"a","ShardCount":1,"StreamModeDetails":{"StreamMode":"FOO"}})"),
            "1 validation error detected: Value 'FOO' at 'streamModeDetails.streamMode' failed to satisfy "
            "constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
  // Enum values are case-sensitive and must match entirely.
  EXPECT_NE(validate("CreateStream", R"({"StreamName":"a","StreamModeDetails":{"StreamMode":"on_demand"}})"), "");
  EXPECT_NE(validate("CreateStream", R"({"StreamName":"a","StreamModeDetails":{"StreamMode":"ON_DEMANDX"}})"), "");
}

TEST(Validator, MissingMemberOfNestedStructure) {
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":"a","StreamModeDetails":{}})"),
            "1 validation error detected: Value null at 'streamModeDetails.streamMode' failed to satisfy "
            "constraint: Member must not be null");
}

// PartitionKey is optional in the model since the AUTO record distribution strategy (2026); whether a stream
// requires it is checked by the PutRecord(s) handlers, not by the validator.
TEST(Validator, NestedListPathsAreOneBased) {
  EXPECT_EQ(validate("PutRecords", R"({"StreamName":"s","Records":[{"Data":""},{"Data":"","PartitionKey":""}]})"),
            "1 validation error detected: "
            "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  // Within one element, members are reversed too: PartitionKey before Data.
  EXPECT_EQ(validate("PutRecords", R"({"Records":[{"PartitionKey":""}]})"),
            "2 validation errors detected: "
            "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; "
            "Value null at 'records.1.member.data' failed to satisfy constraint: Member must not be null");
}

TEST(Validator, ListLengthBounds) {
  EXPECT_EQ(validate("PutRecords", R"({"StreamName":"s","Records":[]})"),
            "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  std::string records;
  for (int i = 0; i < 501; ++i) records += std::string(i ? "," : "") + R"({"Data":"","PartitionKey":"a"})";
  const std::string msg = validate("PutRecords", R"({"StreamName":"s","Records":[)" + records + "]}");
  EXPECT_EQ(msg.rfind("1 validation error detected: Value '[PutRecordsRequestEntry(", 0), 0u) << msg.substr(0, 200);
  const std::string tail = "' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500";
  ASSERT_GE(msg.size(), tail.size());
  EXPECT_EQ(msg.substr(msg.size() - tail.size()), tail);
}

TEST(Validator, BlobRenderedAsHeapByteBuffer) {
  std::string data(10485761, 'x');
  const std::string body = R"({"StreamName":"s","PartitionKey":"k","Data":")" + base64_encode(data) + R"("})";
  data.clear();
  EXPECT_EQ(validate("PutRecord", body),
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at "
            "'data' failed to satisfy constraint: Member must have length less than or equal to 10485760");
}

TEST(Validator, BlobLengthCountsDecodedBytesNotBase64Characters) {
  // 10 MiB of raw data is allowed even though its base64 text is longer than 10485760 characters.
  const std::string body = R"({"PartitionKey":"k","Data":")" + base64_encode(std::string(10485760, '\0')) + R"("})";
  EXPECT_EQ(validate("PutRecord", body), "");
}

TEST(Validator, HashKeyPattern) {
  EXPECT_EQ(validate("PutRecord", R"({"Data":"","PartitionKey":"k","ExplicitHashKey":"01"})"),
            "1 validation error detected: Value '01' at 'explicitHashKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
  EXPECT_EQ(validate("PutRecord", R"({"Data":"","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211455"})"), "");
}

TEST(Validator, AtMostTenErrorsReported) {
  std::string records;
  for (int i = 0; i < 12; ++i) records += std::string(i ? "," : "") + "{}";
  const std::string msg = validate("PutRecords", R"({"Records":[)" + records + "]}");
  EXPECT_EQ(msg.rfind("10 validation errors detected: ", 0), 0u) << msg;
  EXPECT_EQ(count(msg, "; "), 9u);
  EXPECT_EQ(count(msg, "failed to satisfy constraint"), 10u);
  EXPECT_NE(msg.find("'records.10.member.data'"), std::string::npos);
  EXPECT_EQ(msg.find("'records.11.member"), std::string::npos);
}

TEST(Validator, TagMapKeyConstraint) {
  EXPECT_EQ(validate("AddTagsToStream", R"({"StreamName":"s","Tags":{"":"v"}})"),
            "1 validation error detected: Value '{=v}' at 'tags' failed to satisfy constraint: "
            "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
            "Member must have length greater than or equal to 1]");
  const std::string long_key(129, 'k');
  EXPECT_EQ(validate("AddTagsToStream", R"({"Tags":{")" + long_key + R"(":"v"}})"),
            "1 validation error detected: Value '{" + long_key + "=v}' at 'tags' failed to satisfy constraint: "
            "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
            "Member must have length greater than or equal to 1]");
}

TEST(Validator, TagMapValueAndSizeConstraints) {
  const std::string long_value(257, 'v');
  EXPECT_EQ(validate("AddTagsToStream", R"({"Tags":{"k":")" + long_value + R"("}})"),
            "1 validation error detected: Value '{k=" + long_value + "}' at 'tags' failed to satisfy constraint: "
            "Map value must satisfy constraint: [Member must have length less than or equal to 256, "
            "Member must have length greater than or equal to 0]");
  EXPECT_EQ(validate("AddTagsToStream", R"({"Tags":{}})"),
            "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

TEST(Validator, ListOfScalarsReportsWholeList) {
  EXPECT_EQ(validate("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["Foo","ALL"]})"),
            "1 validation error detected: Value '[Foo, ALL]' at 'shardLevelMetrics' failed to satisfy constraint: "
            "Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, "
            "OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, "
            "IteratorAgeMilliseconds, ALL]]");
  EXPECT_EQ(validate("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["ok",""]})"),
            "1 validation error detected: Value '[ok, ]' at 'tagKeys' failed to satisfy constraint: "
            "Member must satisfy constraint: [Member must have length less than or equal to 128, "
            "Member must have length greater than or equal to 1]");
}

TEST(Validator, StringLengthIsCountedInUtf16CodeUnits) {
  std::string two_byte, astral_fits, astral_too_long;
  for (int i = 0; i < 256; ++i) two_byte += "\xC3\xA9";        // U+00E9: one UTF-16 unit each
  for (int i = 0; i < 128; ++i) astral_fits += "\xF0\x9F\x98\x80";  // U+1F600: two units each
  astral_too_long = astral_fits + "a";
  EXPECT_EQ(validate("PutRecord", R"({"Data":"","PartitionKey":")" + two_byte + R"("})"), "");
  EXPECT_EQ(validate("PutRecord", R"({"Data":"","PartitionKey":")" + astral_fits + R"("})"), "");
  const std::string msg = validate("PutRecord", R"({"Data":"","PartitionKey":")" + astral_too_long + R"("})");
  EXPECT_NE(msg.find("at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"),
            std::string::npos)
      << msg;
}

TEST(Validator, UnknownMembersAreNotValidated) {
  EXPECT_EQ(validate("CreateStream", R"({"StreamName":"a","ShardCount":1,"Bogus":"","Other":{"x":[]}})"), "");
}

}  // namespace
}  // namespace kinesisd::protocol
