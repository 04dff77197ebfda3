#include "kinesisd/api/error_map.hpp"

#include <spdlog/spdlog.h>

namespace kinesisd::api {

WireError to_wire(ErrorCode code) {
  switch (code) {
    case ErrorCode::kResourceNotFound: return {"ResourceNotFoundException", 400};
    case ErrorCode::kResourceInUse: return {"ResourceInUseException", 400};
    case ErrorCode::kLimitExceeded: return {"LimitExceededException", 400};
    case ErrorCode::kInvalidArgument: return {"InvalidArgumentException", 400};
    case ErrorCode::kExpiredIterator: return {"ExpiredIteratorException", 400};
    case ErrorCode::kExpiredNextToken: return {"ExpiredNextTokenException", 400};
    case ErrorCode::kProvisionedThroughputExceeded: return {"ProvisionedThroughputExceededException", 400};
    case ErrorCode::kValidation: return {"ValidationException", 400};
    case ErrorCode::kSerialization: return {"SerializationException", 400};
    case ErrorCode::kUnknownOperation: return {"UnknownOperationException", 400};
    case ErrorCode::kMissingAuthenticationToken: return {"MissingAuthenticationTokenException", 400};
    case ErrorCode::kIncompleteSignature: return {"IncompleteSignatureException", 400};
    case ErrorCode::kInvalidSignature: return {"InvalidSignatureException", 400};
    case ErrorCode::kUnrecognizedClient: return {"UnrecognizedClientException", 400};
    case ErrorCode::kAccessDenied: return {"AccessDeniedException", 400};
    case ErrorCode::kRequestTooLarge: return {"RequestEntityTooLargeException", 413};
    case ErrorCode::kBodyTooLarge: return {"SerializationException", 413};
    case ErrorCode::kDryRun: return {"DryRunOperationException", 400};
    case ErrorCode::kKmsNotFound: return {"KMSNotFoundException", 400};
    case ErrorCode::kUnavailable:
      return {"ServiceUnavailable", 503};
    case ErrorCode::kOk:
    case ErrorCode::kIo:
    case ErrorCode::kCorruption:
    case ErrorCode::kInternal: break;
  }
  return {"InternalFailure", 500};
}

bool is_internal(ErrorCode code) {
  return code == ErrorCode::kIo || code == ErrorCode::kCorruption || code == ErrorCode::kUnavailable ||
         code == ErrorCode::kInternal;
}

Error public_error(const Error& error, std::string_view op) {
  if (!is_internal(error.code)) return error;
  spdlog::error("event=internal_error op={} code={} detail=\"{}\"", op.empty() ? "-" : op,
                static_cast<int>(error.code), error.message);
  if (error.code == ErrorCode::kUnavailable) {
    return make_error(ErrorCode::kUnavailable, "The service is unavailable. Please try again later.");
  }
  return make_error(ErrorCode::kInternal, "Internal service failure.");
}

}  // namespace kinesisd::api
