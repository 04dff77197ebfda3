// KMS key ids as StartStreamEncryption and CreateChannel's EncryptionConfiguration accept them. There is no
// KMS behind this server: every well-formed key id is a key (docs/architecture.md, "Encryption at rest").
#pragma once

#include <string>

#include "kinesisd/util/status.hpp"

namespace kinesisd::api {

// The key ids StartStreamEncryption documents: a key ARN, an alias ARN, a key id, an alias name (including
// the Kinesis-owned alias/aws/kinesis). Anything else names no key KMS could find; so does an ARN of another
// region (KMS keys are regional): KMS's NotFoundException text, `Invalid keyId <KeyId>`, with `not_found` as
// the code (KMSNotFoundException where the operation has it, InvalidArgumentException where it has no KMS
// errors).
Status check_key_id(const std::string& key_id, const std::string& region, ErrorCode not_found);

// True for the Kinesis service key: alias/aws/kinesis, or its alias ARN.
bool is_kinesis_service_key(const std::string& key_id);

}  // namespace kinesisd::api
