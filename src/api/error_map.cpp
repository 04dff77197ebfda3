#include "kinesisd/api/error_map.hpp"

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
    case ErrorCode::kDryRun: return {"DryRunOperationException", 400};
    case ErrorCode::kKmsNotFound: return {"KMSNotFoundException", 400};
    case ErrorCode::kOk:
    case ErrorCode::kInternal: break;
  }
  return {"InternalFailure", 500};
}

}  // namespace kinesisd::api
