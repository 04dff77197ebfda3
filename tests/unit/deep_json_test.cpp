// JSON that clients control is parsed without recursion: a document of a million nested arrays is refused
// rather than overflowing the stack (found while fuzzing; see docs/reliability.md).
#include <gtest/gtest.h>

#include <string>

#include "kinesisd/api/handler_support.hpp"
#include "kinesisd/engine/channel_output.hpp"
#include "kinesisd/util/base64.hpp"

namespace {

constexpr size_t kDepth = 1'000'000;

TEST(DeepJson, NextTokenOfNestedArraysIsInvalid) {
  const std::string token = kinesisd::base64_encode("{\"t\":" + std::string(kDepth, '['));
  auto r = kinesisd::api::read_next_token(token, 1'700'000'000'000, 300'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Invalid NextToken.");
}

TEST(DeepJson, NextTokenFromTheFarPastIsExpiredNotOverflowed) {
  auto r = kinesisd::api::read_next_token(kinesisd::base64_encode("{\"t\":-9223372036854775808}"),
                                          1'700'000'000'000, 300'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, kinesisd::ErrorCode::kExpiredNextToken);
}

TEST(DeepJson, ChannelRecordOfNestedArraysIsNotJson) {
  std::string out, why;
  EXPECT_FALSE(kinesisd::engine::append_record("JSON", std::string(kDepth, '['), out, &why));
  EXPECT_EQ(why, "The record is not valid JSON.");
  EXPECT_TRUE(kinesisd::engine::append_record("JSON", std::string(1000, '[') + std::string(1000, ']'), out, &why));
}

}  // namespace
