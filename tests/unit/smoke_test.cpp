#include <gtest/gtest.h>

#include "kinesisd/protocol/service_model.hpp"

TEST(ServiceModel, LoadsEmbeddedModel) {
  const auto& model = kinesisd::protocol::ServiceModel::instance();
  EXPECT_EQ(model.target_prefix(), "Kinesis_20131202");
  EXPECT_NE(model.find_operation("PutRecords"), nullptr);
}
