// Errors as values. Layers report what went wrong as an ErrorCode plus a message; api/error_map.cpp is the
// one place that turns a code into an AWS `__type`, HTTP status and the text a client sees.
//
// Two kinds of codes: those that name an AWS error (the message is AWS's text and goes to the client), and
// the internal ones at the end (kIo, kCorruption, kUnavailable, kInternal), whose message is detail for the
// log (paths, errno texts) and never reaches a client: error_map answers them with AWS's fixed texts.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace kinesisd {

enum class ErrorCode {
  kOk = 0,
  kResourceNotFound,
  kResourceInUse,
  kLimitExceeded,
  kInvalidArgument,
  kExpiredIterator,
  kExpiredNextToken,
  kProvisionedThroughputExceeded,
  kValidation,
  kSerialization,
  kUnknownOperation,
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kInvalidSignature,
  kUnrecognizedClient,  // an access key the server does not know (signature verification)
  kAccessDenied,
  kRequestTooLarge,
  kBodyTooLarge,  // a body over the transport's limit, refused before it is read (413 SerializationException)
  kDryRun,       // every check passed; nothing was done because the request asked for a dry run
  kKmsNotFound,  // a KeyId that names no key (StartStreamEncryption)
  // --- internal: the message is for the log only ---
  kIo,           // a file operation failed (disk full, EIO, ...)
  kCorruption,   // stored bytes failed their checks; they are never served
  kUnavailable,  // temporarily refused: a shard repairing its log after a disk error (ServiceUnavailable)
  kInternal,     // anything else that is the server's fault
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// Result<T>: a T or an Error. REQUIRES: value() only when ok(), error() only when !ok().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}        // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Status: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT
  static Status Ok() { return Status(); }
  bool ok() const { return error_.code == ErrorCode::kOk; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::kOk, {}};
};

}  // namespace kinesisd
