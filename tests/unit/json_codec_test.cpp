// protocol::json_decode_input / json_encode_output / json_encode_error.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kinesisd/protocol/json_codec.hpp"
#include "kinesisd/protocol/service_model.hpp"
#include "kinesisd/util/base64.hpp"

namespace kinesisd::protocol {
namespace {

// The document points into the body, so both live together and never move.
struct Decoded {
  std::string body;
  rapidjson::Document doc;
  Status status;
};

std::unique_ptr<Decoded> decode(const std::string& operation, std::string body) {
  auto d = std::make_unique<Decoded>();
  d->body = std::move(body);
  const Operation* op = ServiceModel::instance().find_operation(operation);
  EXPECT_NE(op, nullptr) << operation;
  if (op != nullptr) d->status = json_decode_input(d->body, *op->input, d->doc);
  return d;
}

// The SerializationException message for `body`, or "<ok>" when it decodes.
std::string serialization_error(const std::string& operation, const std::string& body) {
  auto d = decode(operation, body);
  if (d->status.ok()) return "<ok>";
  EXPECT_EQ(d->status.error().code, ErrorCode::kSerialization) << body;
  return d->status.error().message;
}

TEST(JsonDecode, StringMemberWrongTypes) {
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamName":1})"),
            "class java.math.BigDecimal can not be converted to an String");
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamName":34.56})"),
            "class java.math.BigDecimal can not be converted to an String");
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamName":true})"),
            "class java.lang.Boolean can not be converted to an String");
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamName":[]})"), "Start of list found where not expected");
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamName":{}})"),
            "Start of structure or map found where not expected.");
}

TEST(JsonDecode, IntegerMemberWrongTypes) {
  EXPECT_EQ(serialization_error("CreateStream", R"({"ShardCount":"1"})"),
            "class java.lang.String can not be converted to an Integer");
  EXPECT_EQ(serialization_error("CreateStream", R"({"ShardCount":false})"),
            "class java.lang.Boolean can not be converted to an Integer");
  EXPECT_EQ(serialization_error("CreateStream", R"({"ShardCount":[1]})"), "Start of list found where not expected");
  EXPECT_EQ(serialization_error("CreateStream", R"({"ShardCount":{}})"),
            "Start of structure or map found where not expected.");
}

TEST(JsonDecode, LongMemberWrongTypesUseLongInMessage) {
  auto model = ServiceModel::parse(R"({"metadata":{"targetPrefix":"T"},"operations":{},
      "shapes":{"In":{"type":"structure","members":{"N":{"shape":"N"}}},"N":{"type":"long"}}})");
  const Shape& in = *model->find_shape("In");
  std::string body = R"({"N":"5"})";
  rapidjson::Document doc;
  const Status s = json_decode_input(body, in, doc);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "class java.lang.String can not be converted to an Long");
  std::string ok_body = R"({"N":9000000000})";
  rapidjson::Document ok_doc;
  ASSERT_TRUE(json_decode_input(ok_body, in, ok_doc).ok());
  EXPECT_EQ(ok_doc["N"].GetInt64(), 9000000000);
}

TEST(JsonDecode, NumbersNormalisedToInt64) {
  auto d = decode("CreateStream", R"({"StreamName":"a","ShardCount":3.0,"MaxRecordSizeInKiB":2048.9})");
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  ASSERT_TRUE(d->doc["ShardCount"].IsInt64());
  EXPECT_EQ(d->doc["ShardCount"].GetInt64(), 3);
  ASSERT_TRUE(d->doc["MaxRecordSizeInKiB"].IsInt64());
  EXPECT_EQ(d->doc["MaxRecordSizeInKiB"].GetInt64(), 2048);
}

TEST(JsonDecode, BooleanMemberWrongTypes) {
  EXPECT_EQ(serialization_error("DeleteStream", R"({"EnforceConsumerDeletion":"true"})"),
            "'TRUE' can not be converted to an Boolean");
  EXPECT_EQ(serialization_error("DeleteStream", R"({"EnforceConsumerDeletion":"yes"})"),
            "'YES' can not be converted to an Boolean");
  EXPECT_EQ(serialization_error("DeleteStream", R"({"EnforceConsumerDeletion":1})"),
            "class java.math.BigDecimal can not be converted to an Boolean");
  EXPECT_EQ(serialization_error("DeleteStream", R"({"EnforceConsumerDeletion":[]})"),
            "Start of list found where not expected");
  EXPECT_EQ(serialization_error("DeleteStream", R"({"EnforceConsumerDeletion":{}})"),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(serialization_error("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})"), "<ok>");
}

TEST(JsonDecode, StructureListAndMapWrongTypes) {
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamModeDetails":"PROVISIONED"})"), "Expected null");
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamModeDetails":5})"), "Expected null");
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamModeDetails":[]})"),
            "Start of list found where not expected");
  EXPECT_EQ(serialization_error("PutRecords", R"({"Records":"x"})"), "Expected list or null");
  EXPECT_EQ(serialization_error("PutRecords", R"({"Records":true})"), "Expected list or null");
  EXPECT_EQ(serialization_error("PutRecords", R"({"Records":{}})"),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(serialization_error("CreateStream", R"({"Tags":"x"})"), "Expected map or null");
  EXPECT_EQ(serialization_error("CreateStream", R"({"Tags":[]})"), "Start of list found where not expected");
  EXPECT_EQ(serialization_error("CreateStream", R"({"Tags":{"k":1}})"),
            "class java.math.BigDecimal can not be converted to an String");
}

TEST(JsonDecode, ErrorsInsideListElements) {
  EXPECT_EQ(serialization_error("PutRecords", R"({"Records":[{"Data":"","PartitionKey":7}]})"),
            "class java.math.BigDecimal can not be converted to an String");
  EXPECT_EQ(serialization_error("PutRecords", R"({"Records":[[]]})"), "Start of list found where not expected");
  EXPECT_EQ(serialization_error("PutRecords", R"({"Records":[null,{"Data":"","PartitionKey":"k"}]})"), "<ok>");
}

TEST(JsonDecode, MalformedOrNonObjectBodies) {
  for (const char* body : {"", " ", "{", "{]", "nul", "{\"a\":}", "[]", "[{}]", "\"x\"", "42", "null", "{} x"}) {
    auto d = decode("ListStreams", body);
    ASSERT_FALSE(d->status.ok()) << "'" << body << "'";
    EXPECT_EQ(d->status.error().code, ErrorCode::kSerialization) << "'" << body << "'";
  }
  EXPECT_EQ(serialization_error("ListStreams", "{}"), "<ok>");
  EXPECT_EQ(serialization_error("ListStreams", " \n{ }\t"), "<ok>");
}

TEST(JsonDecode, UnknownMembersIgnored) {
  auto d = decode("CreateStream", R"({"StreamName":"a","Bogus":{"x":[1,true]},"shardcount":"nope","ShardCount":1})");
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  EXPECT_STREQ(d->doc["StreamName"].GetString(), "a");
  EXPECT_EQ(d->doc["ShardCount"].GetInt64(), 1);
}

TEST(JsonDecode, NullMembersAreSkipped) {
  EXPECT_EQ(serialization_error("CreateStream", R"({"StreamName":null,"ShardCount":null,"Tags":null})"), "<ok>");
}

TEST(JsonDecode, BlobsDecodedToRawBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto d = decode("PutRecord", R"({"PartitionKey":"k","Data":")" + base64_encode(all) + R"("})");
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  const auto& data = d->doc["Data"];
  ASSERT_EQ(data.GetStringLength(), 256u);
  EXPECT_EQ(std::string(data.GetString(), data.GetStringLength()), all);
}

TEST(JsonDecode, BlobWrongTypesAndBadBase64) {
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":true})"),
            "class java.lang.Boolean can not be converted to a Blob");
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":23})"),
            "class java.math.BigDecimal can not be converted to a Blob");
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":[]})"), "Start of list found where not expected");
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":{}})"), "Start of structure or map found where not expected.");
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":"23456"})"),
            "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but "
            "found: 5");
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":"=+/="})"),
            "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='");
  EXPECT_EQ(serialization_error("PutRecord", R"({"Data":"+/+="})"),
            "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
  const std::string msg = serialization_error("PutRecords", R"({"Records":[{"PartitionKey":"k","Data":"a-b_"}]})");
  EXPECT_NE(msg.find("can not be converted to a Blob"), std::string::npos) << msg;
}

TEST(JsonDecode, TimestampsNormalisedToMilliseconds) {
  auto d = decode("ListShards", R"({"StreamCreationTimestamp":1700000000,"ShardFilter":{"Type":"AT_TIMESTAMP",
      "Timestamp":1700000000.123}})");
  ASSERT_TRUE(d->status.ok()) << d->status.error().message;
  ASSERT_TRUE(d->doc["StreamCreationTimestamp"].IsInt64());
  EXPECT_EQ(d->doc["StreamCreationTimestamp"].GetInt64(), 1700000000000);
  ASSERT_TRUE(d->doc["ShardFilter"]["Timestamp"].IsInt64());
  EXPECT_EQ(d->doc["ShardFilter"]["Timestamp"].GetInt64(), 1700000000123);

  auto half = decode("ListShards", R"({"StreamCreationTimestamp":1.5})");
  ASSERT_TRUE(half->status.ok());
  EXPECT_EQ(half->doc["StreamCreationTimestamp"].GetInt64(), 1500);
}

TEST(JsonDecode, TimestampWrongTypes) {
  EXPECT_EQ(serialization_error("ListShards", R"({"StreamCreationTimestamp":"2020-01-01"})"),
            "class java.lang.String can not be converted to milliseconds since epoch");
  EXPECT_EQ(serialization_error("ListShards", R"({"StreamCreationTimestamp":true})"),
            "class java.lang.Boolean can not be converted to milliseconds since epoch");
  EXPECT_EQ(serialization_error("ListShards", R"({"StreamCreationTimestamp":[]})"),
            "Start of list found where not expected");
  EXPECT_EQ(serialization_error("ListShards", R"({"StreamCreationTimestamp":1e300})"), "Timestamp out of range");
}

TEST(JsonEncode, WritesShapeMembersInDeclarationOrderWithBlobsAndTimestamps) {
  const Operation* op = ServiceModel::instance().find_operation("GetRecords");
  ASSERT_NE(op, nullptr);
  ASSERT_NE(op->output, nullptr);
  rapidjson::Document v;
  v.Parse(R"({"MillisBehindLatest":0,"NextShardIterator":null,"Extra":"dropped","Records":[
      {"PartitionKey":"k","Data":"","ApproximateArrivalTimestamp":1700000000123,"SequenceNumber":"1"},
      {"PartitionKey":"k2","Data":"","ApproximateArrivalTimestamp":1700000000000,"SequenceNumber":"2"}]})");
  ASSERT_FALSE(v.HasParseError());
  const std::string raw("\x00\xff\x10", 3);
  v["Records"][0]["Data"].SetString(raw.data(), static_cast<rapidjson::SizeType>(raw.size()), v.GetAllocator());
  v["Records"][1]["Data"].SetString("foobar", v.GetAllocator());
  EXPECT_EQ(json_encode_output(op->output, v),
            R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1700000000.123,"Data":"AP8Q",)"
            R"("PartitionKey":"k"},{"SequenceNumber":"2","ApproximateArrivalTimestamp":1700000000,)"
            R"("Data":"Zm9vYmFy","PartitionKey":"k2"}],"MillisBehindLatest":0})");
}

TEST(JsonEncode, NullShapeOrNonObjectGivesEmptyObject) {
  rapidjson::Document v;
  v.Parse(R"({"a":1})");
  EXPECT_EQ(json_encode_output(nullptr, v), "{}");
  rapidjson::Document arr;
  arr.Parse("[1]");
  EXPECT_EQ(json_encode_output(ServiceModel::instance().find_operation("GetRecords")->output, arr), "{}");
  rapidjson::Document empty;
  empty.SetObject();
  EXPECT_EQ(json_encode_output(ServiceModel::instance().find_operation("ListStreams")->output, empty), "{}");
}

TEST(JsonEncode, DecodeThenEncodeRoundTripsBlob) {
  std::string all;
  for (int i = 255; i >= 0; --i) all.push_back(static_cast<char>(i));
  const std::string b64 = base64_encode(all);
  auto d = decode("PutRecord", R"({"PartitionKey":"k","Data":")" + b64 + R"("})");
  ASSERT_TRUE(d->status.ok());
  // PutRecordInput has StreamName, Data, PartitionKey, ... in that order.
  EXPECT_EQ(json_encode_output(ServiceModel::instance().find_operation("PutRecord")->input, d->doc),
            R"({"Data":")" + b64 + R"(","PartitionKey":"k"})");
}

TEST(JsonEncodeError, Shape) {
  EXPECT_EQ(json_encode_error("ResourceNotFoundException", "Stream x under account 000000000000 not found."),
            R"({"__type":"ResourceNotFoundException","message":"Stream x under account 000000000000 not found."})");
  EXPECT_EQ(json_encode_error("SerializationException", ""), R"({"__type":"SerializationException"})");
  EXPECT_EQ(json_encode_error("X", "say \"hi\"\n"), R"({"__type":"X","message":"say \"hi\"\n"})");
}

}  // namespace
}  // namespace kinesisd::protocol

namespace kinesisd::protocol {
namespace {

TEST(JsonDecode, InvalidUtf8InTextIsSerializationException) {
  const std::string data = R"(,"StreamName":"s","Data":"AAAA"})";
  EXPECT_EQ(serialization_error("PutRecord", "{\"PartitionKey\":\"k\xff\xfe\"" + data),
            "Invalid UTF-8 start byte 0xff");
  EXPECT_EQ(serialization_error("PutRecord", "{\"PartitionKey\":\"\xc0\xaf\"" + data),
            "Invalid UTF-8 start byte 0xc0");
  EXPECT_EQ(serialization_error("PutRecord", "{\"PartitionKey\":\"\xed\xa0\x80\"" + data),
            "Invalid UTF-8 start byte 0xed");
  // Escapes that decode to a lone surrogate cannot be carried by UTF-8 either.
  EXPECT_NE(serialization_error("PutRecord", R"({"PartitionKey":"a\udc00b")" + data), "<ok>");
  EXPECT_NE(serialization_error("PutRecord", R"({"PartitionKey":"a\ud800")" + data), "<ok>");
  // Map keys (tag keys) are text too.
  EXPECT_NE(serialization_error("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"k\xff\":\"v\"}}"),
            "<ok>");
  // Valid escapes and multi-byte texts pass.
  EXPECT_EQ(serialization_error("PutRecord", R"({"PartitionKey":"\ud83d\ude00 caf\u00e9")" + data), "<ok>");
  EXPECT_EQ(serialization_error("PutRecord", "{\"PartitionKey\":\"caf\xc3\xa9\"" + data), "<ok>");
}

TEST(JsonDecode, NullMembersAreAbsent) {
  auto d =
      decode("PutRecord", R"({"StreamName":"s","PartitionKey":null,"Data":"AAAA","ExplicitHashKey":null})");
  ASSERT_TRUE(d->status.ok());
  EXPECT_FALSE(d->doc.HasMember("PartitionKey"));
  EXPECT_FALSE(d->doc.HasMember("ExplicitHashKey"));
  EXPECT_TRUE(d->doc.HasMember("StreamName"));
  auto r = decode("PutRecords", R"({"StreamName":"s","Records":[{"Data":"AAAA","PartitionKey":null}]})");
  ASSERT_TRUE(r->status.ok());
  EXPECT_FALSE(r->doc["Records"][0].HasMember("PartitionKey"));
}

TEST(JsonDecode, DeepNestingDoesNotOverflowTheStack) {
  const std::string deep(200000, '[');
  EXPECT_EQ(serialization_error("ListStreams", "{\"Bogus\":" + deep + "}"), "");
  std::string closed = "{\"Bogus\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(serialization_error("ListStreams", closed), "<ok>");  // unknown members are ignored, however deep
}

TEST(JsonEncode, StoredInvalidUtf8IsReplacedOnTheWire) {
  const Operation* op = ServiceModel::instance().find_operation("GetRecords");
  ASSERT_NE(op, nullptr);
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  rapidjson::Value rec(rapidjson::kObjectType);
  rec.AddMember("SequenceNumber", "1", a);
  rec.AddMember("PartitionKey", rapidjson::Value("k\xff\xfe", a), a);
  rec.AddMember("Data", rapidjson::Value("\xff\xfe", a), a);  // blobs are bytes: base64, untouched
  rapidjson::Value records(rapidjson::kArrayType);
  records.PushBack(rec, a);
  out.AddMember("Records", records, a);
  const std::string json = json_encode_output(op->output, out);
  EXPECT_NE(json.find("\"PartitionKey\":\"k\xef\xbf\xbd\xef\xbf\xbd\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"Data\":\"//4=\""), std::string::npos) << json;
}

}  // namespace
}  // namespace kinesisd::protocol
