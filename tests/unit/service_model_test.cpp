// The embedded Kinesis service model and ServiceModel::parse.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "kinesisd/protocol/service_model.hpp"

namespace kinesisd::protocol {
namespace {

const ServiceModel& model() { return ServiceModel::instance(); }

const char* engine_default_template() {
  return "kinesis-channel/!{channel-name}/!{channel-id}/!{yyyy}/!{MM}/!{dd}/!{HH}/"
         "!{channel-name}-!{channel-id}-!{yyyy}-!{MM}-!{dd}-!{HH}-!{mm}!{extension}";
}

const Shape& shape(const char* name) {
  const Shape* s = model().find_shape(name);
  EXPECT_NE(s, nullptr) << name;
  if (s == nullptr) throw std::runtime_error(std::string("no shape ") + name);
  return *s;
}

TEST(ServiceModel, EmbeddedModelHasKinesisTargetPrefix) {
  EXPECT_EQ(model().target_prefix(), "Kinesis_20131202");
}

TEST(ServiceModel, InstanceIsASingleton) { EXPECT_EQ(&ServiceModel::instance(), &ServiceModel::instance()); }

TEST(ServiceModel, KnownOperationsExist) {
  for (const char* op : {"PutRecords", "PutRecord", "CreateStream", "DeleteStream", "ListShards", "ListStreams",
                         "DescribeStream", "DescribeStreamSummary", "GetRecords", "GetShardIterator", "SplitShard",
                         "MergeShards", "AddTagsToStream", "RemoveTagsFromStream", "ListTagsForStream",
                         "UpdateShardCount", "SubscribeToShard", "DescribeLimits"}) {
    const Operation* o = model().find_operation(op);
    ASSERT_NE(o, nullptr) << op;
    EXPECT_EQ(o->name, op);
    ASSERT_NE(o->input, nullptr) << op;
    EXPECT_EQ(o->input->type, ShapeType::kStructure) << op;
  }
}

TEST(ServiceModel, UnknownOperationIsNull) {
  EXPECT_EQ(model().find_operation("Nope"), nullptr);
  EXPECT_EQ(model().find_operation("putrecords"), nullptr);  // names are case-sensitive
  EXPECT_EQ(model().find_operation(""), nullptr);
  EXPECT_EQ(model().find_shape("NoSuchShape"), nullptr);
}

TEST(ServiceModel, OperationNamesAreSortedAndFindable) {
  const auto& names = model().operation_names();
  ASSERT_GE(names.size(), 30u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_TRUE(std::adjacent_find(names.begin(), names.end()) == names.end()) << "duplicate operation name";
  for (const auto& n : names) EXPECT_NE(model().find_operation(n), nullptr) << n;
  EXPECT_NE(std::find(names.begin(), names.end(), "CreateStream"), names.end());
}

TEST(ServiceModel, PutRecordsOperationShapes) {
  const Operation* o = model().find_operation("PutRecords");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->input->name, "PutRecordsInput");
  ASSERT_NE(o->output, nullptr);
  EXPECT_EQ(o->output->name, "PutRecordsOutput");
  EXPECT_NE(std::find(o->errors.begin(), o->errors.end(), "ResourceNotFoundException"), o->errors.end());
  EXPECT_NE(std::find(o->errors.begin(), o->errors.end(), "ProvisionedThroughputExceededException"), o->errors.end());
}

TEST(ServiceModel, CreateStreamInputMembersInDeclarationOrder) {
  const Operation* o = model().find_operation("CreateStream");
  ASSERT_NE(o, nullptr);
  const Shape& in = *o->input;
  EXPECT_EQ(in.name, "CreateStreamInput");
  // The last member comes from model/kinesis-2026-overlay.json.
  const std::vector<std::string> expected = {"StreamName",         "ShardCount",         "StreamModeDetails", "Tags",
                                             "WarmThroughputMiBps", "MaxRecordSizeInKiB", "RecordDistributionStrategy"};
  ASSERT_EQ(in.members.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(in.members[i].name, expected[i]) << i;
    EXPECT_EQ(in.members[i].required, i == 0) << expected[i];
    ASSERT_NE(in.members[i].shape, nullptr) << expected[i];
  }
  EXPECT_EQ(in.members[0].path_name, "streamName");
  EXPECT_EQ(in.members[2].path_name, "streamModeDetails");
  EXPECT_EQ(in.members[5].path_name, "maxRecordSizeInKiB");
  EXPECT_EQ(in.members[1].shape->name, "PositiveIntegerObject");
  EXPECT_EQ(in.members[1].shape->type, ShapeType::kInteger);
  EXPECT_EQ(in.members[3].shape->type, ShapeType::kMap);
}

TEST(ServiceModel, FindMemberUsesWireName) {
  const Shape& in = shape("CreateStreamInput");
  const Member* m = in.find_member("ShardCount");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "ShardCount");
  EXPECT_EQ(in.find_member("shardCount"), nullptr);
  EXPECT_EQ(in.find_member("Bogus"), nullptr);
}

TEST(ServiceModel, StreamNameShapeConstraints) {
  const Shape& s = shape("StreamName");
  EXPECT_EQ(s.type, ShapeType::kString);
  ASSERT_TRUE(s.min.has_value());
  ASSERT_TRUE(s.max.has_value());
  EXPECT_EQ(*s.min, 1);
  EXPECT_EQ(*s.max, 128);
  EXPECT_EQ(s.pattern, "[a-zA-Z0-9_.-]+");
  EXPECT_TRUE(s.matches_pattern("my-stream_1.x"));
  EXPECT_TRUE(s.matches_pattern("-"));
  EXPECT_FALSE(s.matches_pattern("has space"));
  EXPECT_FALSE(s.matches_pattern("caf\xc3\xa9"));
  EXPECT_FALSE(s.matches_pattern(""));
}

// Patterns that are not a plain [class]+ go through std::regex, with the same answers.
TEST(ServiceModel, ComplexPatternsUseRegex) {
  const Shape& arn = shape("StreamARN");
  EXPECT_EQ(arn.plus_class, nullptr);
  EXPECT_TRUE(arn.matches_pattern("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_FALSE(arn.matches_pattern("arn:aws:kinesis:us-east-1:12345:stream/s"));
  const Shape& key = shape("HashKey");
  EXPECT_TRUE(key.matches_pattern("0"));
  EXPECT_TRUE(key.matches_pattern("340282366920938463463374607431768211455"));
  EXPECT_FALSE(key.matches_pattern("01"));
}

TEST(ServiceModel, EnumAndNumericConstraints) {
  const Shape& mode = shape("StreamMode");
  EXPECT_EQ(mode.enum_values, (std::vector<std::string>{"PROVISIONED", "ON_DEMAND"}));
  const Shape& kib = shape("MaxRecordSizeInKiB");
  EXPECT_EQ(kib.type, ShapeType::kInteger);
  EXPECT_EQ(kib.min, 1024);
  EXPECT_EQ(kib.max, 10240);
  const Shape& positive = shape("PositiveIntegerObject");
  EXPECT_EQ(positive.min, 1);
  EXPECT_FALSE(positive.max.has_value());
  EXPECT_TRUE(shape("RetentionPeriodHours").pattern.empty());
}

TEST(ServiceModel, ContainerAndScalarShapeTypes) {
  const Shape& list = shape("PutRecordsRequestEntryList");
  EXPECT_EQ(list.type, ShapeType::kList);
  ASSERT_NE(list.member, nullptr);
  EXPECT_EQ(list.member->name, "PutRecordsRequestEntry");
  EXPECT_EQ(list.min, 1);
  EXPECT_EQ(list.max, 500);

  const Shape& tags = shape("TagMap");
  EXPECT_EQ(tags.type, ShapeType::kMap);
  ASSERT_NE(tags.key, nullptr);
  ASSERT_NE(tags.value, nullptr);
  EXPECT_EQ(tags.key->name, "TagKey");
  EXPECT_EQ(tags.value->name, "TagValue");

  EXPECT_EQ(shape("Data").type, ShapeType::kBlob);
  EXPECT_EQ(shape("Data").max, 10485760);
  EXPECT_EQ(shape("Timestamp").type, ShapeType::kTimestamp);
  EXPECT_EQ(shape("BooleanObject").type, ShapeType::kBoolean);
  EXPECT_EQ(shape("MillisBehindLatest").type, ShapeType::kLong);

  const Shape& entry = shape("PutRecordsRequestEntry");
  ASSERT_EQ(entry.members.size(), 3u);
  EXPECT_EQ(entry.members[0].name, "Data");
  EXPECT_TRUE(entry.members[0].required);
  EXPECT_EQ(entry.members[1].name, "ExplicitHashKey");
  EXPECT_FALSE(entry.members[1].required);
  EXPECT_EQ(entry.members[2].name, "PartitionKey");
  EXPECT_FALSE(entry.members[2].required);  // optional since RecordDistributionStrategy AUTO (2026 overlay)
}

// The 2026 overlay: DryRun members, the RecordDistributionStrategy enum and operation, DryRunOperationException.
TEST(ServiceModel, OverlayAddsTheNewestModelChanges) {
  for (const char* op : {"GetRecords", "GetShardIterator", "PutRecord", "PutRecords", "SubscribeToShard"}) {
    const Operation* o = model().find_operation(op);
    ASSERT_NE(o, nullptr) << op;
    const Member* dry = o->input->find_member("DryRun");
    ASSERT_NE(dry, nullptr) << op;
    EXPECT_EQ(dry->shape->type, ShapeType::kBoolean);
  }
  const Operation* update = model().find_operation("UpdateStreamRecordDistributionStrategy");
  ASSERT_NE(update, nullptr);
  EXPECT_TRUE(update->input->find_member("StreamARN")->required);
  EXPECT_EQ(shape("RecordDistributionStrategy").enum_values, (std::vector<std::string>{"AUTO", "USER_PARTITION_KEY"}));
  EXPECT_TRUE(shape("DryRunOperationException").exception);
  EXPECT_FALSE(model().find_operation("PutRecord")->input->find_member("PartitionKey")->required);
}

// The 2026 overlay's Channels: the five operations with their errors, and the constraints validation relies on.
TEST(ServiceModel, OverlayAddsChannels) {
  for (const char* op : {"CreateChannel", "DescribeChannel", "UpdateChannel", "DeleteChannel", "ListChannels"}) {
    const Operation* o = model().find_operation(op);
    ASSERT_NE(o, nullptr) << op;
    EXPECT_NE(std::find(o->errors.begin(), o->errors.end(), "InvalidArgumentException"), o->errors.end()) << op;
    EXPECT_NE(std::find(o->errors.begin(), o->errors.end(), "ValidationException"), o->errors.end()) << op;
  }
  EXPECT_EQ(model().find_operation("DeleteChannel")->output, nullptr);
  EXPECT_EQ(model().find_operation("CreateChannel")->output->name, "CreateChannelOutput");
  const auto& create_errors = model().find_operation("CreateChannel")->errors;
  EXPECT_NE(std::find(create_errors.begin(), create_errors.end(), "KMSNotFoundException"), create_errors.end());
  EXPECT_NE(std::find(create_errors.begin(), create_errors.end(), "ResourceInUseException"), create_errors.end());
  const auto& list_errors = model().find_operation("ListChannels")->errors;
  EXPECT_NE(std::find(list_errors.begin(), list_errors.end(), "ExpiredNextTokenException"), list_errors.end());

  const Shape& create = *model().find_operation("CreateChannel")->input;
  for (const char* m : {"ChannelName", "ServiceExecutionRoleARN", "StreamConfigurationList"})
    EXPECT_TRUE(create.find_member(m)->required) << m;
  for (const char* m : {"S3DestinationConfiguration", "S3TablesDestinationConfiguration", "EncryptionConfiguration",
                        "Tags", "LoggingConfiguration"})
    EXPECT_FALSE(create.find_member(m)->required) << m;
  const Shape& name = shape("ChannelName");
  EXPECT_EQ(name.min, 1);
  EXPECT_EQ(name.max, 128);
  EXPECT_TRUE(name.matches_pattern("orders-s3.channel_1"));
  EXPECT_FALSE(name.matches_pattern("bad name"));
  EXPECT_TRUE(shape("ChannelARN").matches_pattern("arn:aws:kinesis:us-east-1:123456789012:channel/abcd1234efgh5678"));
  EXPECT_FALSE(shape("ChannelARN").matches_pattern("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_TRUE(shape("ServiceExecutionRoleARN").matches_pattern("arn:aws:iam::123456789012:role/my-channel-role"));
  EXPECT_FALSE(shape("ServiceExecutionRoleARN").matches_pattern("arn:aws:iam::1234:role/r"));
  EXPECT_TRUE(shape("S3BucketARN").matches_pattern("arn:aws:s3:::my-channel-bucket"));
  EXPECT_FALSE(shape("S3BucketARN").matches_pattern("arn:aws:s3:::UPPER"));
  EXPECT_EQ(shape("ExpectedBucketOwner").min, 12);
  EXPECT_EQ(shape("ExpectedBucketOwner").max, 12);
  EXPECT_TRUE(shape("OutputKeyTemplate").matches_pattern(engine_default_template()));
  EXPECT_FALSE(shape("OutputKeyTemplate").matches_pattern("a b"));
  EXPECT_EQ(shape("ChannelStreamConfigurationList").min, 1);
  EXPECT_EQ(shape("ChannelStreamConfigurationList").max, 10000);
  EXPECT_EQ(shape("RecordFormatType").enum_values,
            (std::vector<std::string>{"GSR_JSON", "JSON", "STRING", "BYTE_ARRAY"}));
  EXPECT_EQ(shape("S3CompressionType").enum_values, (std::vector<std::string>{"NONE", "GZIP", "ZSTD"}));
  EXPECT_EQ(shape("ChannelStatus").enum_values,
            (std::vector<std::string>{"CREATING", "ACTIVE", "UPDATING", "DELETING", "FAILED"}));
  const Shape& storage = shape("S3StorageConfiguration");
  EXPECT_TRUE(storage.find_member("CompressionType")->required);
  EXPECT_FALSE(storage.find_member("OutputKeyTemplate")->required);
  EXPECT_EQ(shape("ListChannelsInputLimit").min, 1);
  EXPECT_EQ(shape("ListChannelsInputLimit").max, 10000);
  EXPECT_TRUE(model().find_operation("UpdateChannel")->input->find_member("ChannelARN")->required);
  EXPECT_TRUE(shape("S3DestinationUpdateInput").find_member("DataFreshnessInSeconds")->required);
  EXPECT_NE(shape("DescribeLimitsOutput").find_member("ChannelCount"), nullptr);
  EXPECT_NE(shape("DescribeLimitsOutput").find_member("ChannelCountLimit"), nullptr);
  EXPECT_FALSE(shape("DescribeLimitsOutput").find_member("ChannelCountLimit")->required);
  EXPECT_NE(shape("StreamDescriptionSummary").find_member("ChannelCount"), nullptr);
}

TEST(ServiceModelParse, OverlayNamingAnUnknownShapeThrows) {
  const char* base = R"({"metadata": {"targetPrefix": "X"}, "operations": {},
                         "shapes": {"S": {"type": "structure", "members": {}}}})";
  EXPECT_NO_THROW(ServiceModel::parse(base, R"({"addMembers": {"S": {}}})"));
  EXPECT_THROW(ServiceModel::parse(base, R"({"addMembers": {"Nope": {}}})"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse(base, "[1]"), std::runtime_error);
}

TEST(ServiceModel, ExceptionAndEventStreamFlags) {
  EXPECT_TRUE(shape("ResourceNotFoundException").exception);
  EXPECT_FALSE(shape("CreateStreamInput").exception);
  EXPECT_TRUE(shape("SubscribeToShardEventStream").eventstream);
  EXPECT_FALSE(shape("PutRecordsOutput").eventstream);
}

constexpr const char* kTinyModel = R"({
  "metadata": {"targetPrefix": "Tiny_1"},
  "operations": {
    "Zeta": {"name": "Zeta", "input": {"shape": "ZetaInput"}, "output": {"shape": "ZetaOutput"},
             "errors": [{"shape": "Boom"}]},
    "Alpha": {"name": "Alpha"}
  },
  "shapes": {
    "ZetaInput": {"type": "structure", "required": ["Count"],
                  "members": {"Name": {"shape": "Name"}, "Count": {"shape": "Count"}}},
    "ZetaOutput": {"type": "structure", "members": {}},
    "Name": {"type": "string", "min": 2, "max": 5, "pattern": "[a-z]+"},
    "Count": {"type": "long", "min": -3, "max": 9000000000},
    "Boom": {"type": "structure", "members": {}, "exception": true}
  }
})";

TEST(ServiceModelParse, ParsesAHandWrittenModel) {
  auto m = ServiceModel::parse(kTinyModel);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->target_prefix(), "Tiny_1");
  EXPECT_EQ(m->operation_names(), (std::vector<std::string>{"Alpha", "Zeta"}));
  const Operation* zeta = m->find_operation("Zeta");
  ASSERT_NE(zeta, nullptr);
  ASSERT_EQ(zeta->input->members.size(), 2u);
  EXPECT_EQ(zeta->input->members[0].name, "Name");
  EXPECT_FALSE(zeta->input->members[0].required);
  EXPECT_EQ(zeta->input->members[1].path_name, "count");
  EXPECT_TRUE(zeta->input->members[1].required);
  EXPECT_EQ(zeta->input->members[1].shape->type, ShapeType::kLong);
  EXPECT_EQ(zeta->input->members[1].shape->min, -3);
  EXPECT_EQ(zeta->input->members[1].shape->max, 9000000000);
  EXPECT_EQ(zeta->errors, (std::vector<std::string>{"Boom"}));
  EXPECT_TRUE(m->find_shape("Boom")->exception);
}

TEST(ServiceModelParse, OperationWithoutInputGetsEmptyStructureAndNoOutput) {
  auto m = ServiceModel::parse(kTinyModel);
  const Operation* alpha = m->find_operation("Alpha");
  ASSERT_NE(alpha, nullptr);
  ASSERT_NE(alpha->input, nullptr);
  EXPECT_EQ(alpha->input->type, ShapeType::kStructure);
  EXPECT_TRUE(alpha->input->members.empty());
  EXPECT_EQ(alpha->output, nullptr);
}

TEST(ServiceModelParse, ThrowsOnGarbage) {
  EXPECT_THROW(ServiceModel::parse(""), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse("not json at all"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse("[1,2,3]"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse("{}"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse(R"({"shapes": {}})"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse(R"({"operations": {}})"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse(R"({"metadata": {"targetPrefix": "X"}, "shapes": {)"), std::runtime_error);
}

TEST(ServiceModelParse, ThrowsOnUnknownShapeType) {
  EXPECT_THROW(ServiceModel::parse(R"({"metadata": {"targetPrefix": "X"}, "operations": {},
                                       "shapes": {"S": {"type": "float"}}})"),
               std::runtime_error);
}

TEST(ServiceModelParse, ThrowsOnDanglingShapeReference) {
  EXPECT_THROW(ServiceModel::parse(R"({"metadata": {"targetPrefix": "X"}, "operations": {},
                                       "shapes": {"L": {"type": "list", "member": {"shape": "Missing"}}}})"),
               std::runtime_error);
  EXPECT_THROW(ServiceModel::parse(R"({"metadata": {"targetPrefix": "X"}, "shapes": {},
                                       "operations": {"Op": {"name": "Op", "input": {"shape": "Missing"}}}})"),
               std::runtime_error);
}

TEST(ServiceModelParse, ThrowsWhenMetadataOrShapeTypeIsMissing) {
  EXPECT_THROW(ServiceModel::parse(R"({"operations": {}, "shapes": {}})"), std::runtime_error);
  EXPECT_THROW(ServiceModel::parse(R"({"metadata": {"targetPrefix": "X"}, "operations": {},
                                       "shapes": {"S": {"min": 1}}})"),
               std::runtime_error);
}

}  // namespace
}  // namespace kinesisd::protocol
