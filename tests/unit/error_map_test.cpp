// api::error_map: AWS's errors pass unchanged; internal ones reach clients only as AWS's fixed texts.
#include <gtest/gtest.h>

#include "kinesisd/api/error_map.hpp"
#include "kinesisd/api/front_door.hpp"

namespace kinesisd::api {
namespace {

TEST(ErrorMap, InternalDetailNeverReachesTheWire) {
  const Error io =
      make_error(ErrorCode::kIo, "cannot write /data/streams/us-east-1/s.1/shardId-0/0.log: No space");
  for (Protocol p : {Protocol::kJson, Protocol::kCbor}) {
    const ApiResponse r = error_response(io, p, "PutRecord");
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.error_type, "InternalFailure");
    EXPECT_EQ(r.body.find("/data"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("No space"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("Internal service failure."), std::string::npos) << r.body;
  }
  const ApiResponse corrupt = error_response(make_error(ErrorCode::kCorruption, "a record in 0.log failed"));
  EXPECT_EQ(corrupt.status, 500u);
  EXPECT_EQ(corrupt.body.find("0.log"), std::string::npos);
  const ApiResponse busy = error_response(make_error(ErrorCode::kUnavailable, "the log of /x is fenced"));
  EXPECT_EQ(busy.status, 503u);
  EXPECT_EQ(busy.error_type, "ServiceUnavailable");
  EXPECT_EQ(busy.body.find("/x"), std::string::npos);
}

TEST(ErrorMap, AwsErrorsKeepTheirText) {
  const Error e = make_error(ErrorCode::kResourceNotFound, "Stream s under account 000000000000 not found.");
  EXPECT_EQ(public_error(e).message, e.message);
  const ApiResponse r = error_response(e);
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("Stream s under account"), std::string::npos);
  for (ErrorCode c : {ErrorCode::kIo, ErrorCode::kCorruption, ErrorCode::kUnavailable, ErrorCode::kInternal})
    EXPECT_TRUE(is_internal(c));
  EXPECT_FALSE(is_internal(ErrorCode::kValidation));
}

}  // namespace
}  // namespace kinesisd::api
