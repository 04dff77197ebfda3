// Encryption at rest of records written while a stream's encryption is on (StartStreamEncryption).
//
// AES-256-GCM under a data key derived with HKDF-SHA256 from the server's master key (DATA_DIR/encryption.key)
// and the stream's KeyId, a random 96-bit nonce per value. A sealed value carries the key id it was sealed
// under, so records stay readable after the stream's key changes or encryption is stopped. The layout is
// specified in docs/log-format.md ("Encrypted records"). Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kinesisd/util/status.hpp"

namespace kinesisd::engine {

class RecordCipher {
 public:
  static constexpr size_t kMasterKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;
  static constexpr size_t kMaxKeyIdBytes = 2048;  // the model's KeyId maximum

  // Bytes a sealed value adds to its plaintext.
  static constexpr size_t overhead(size_t key_id_bytes) { return 2 + key_id_bytes + kNonceBytes + kTagBytes; }

  // REQUIRES: master_key.size() == kMasterKeyBytes.
  explicit RecordCipher(std::string master_key);

  // key_id_length:u16 | key_id | nonce[12] | ciphertext | tag[16]. `context` is authenticated with the value
  // but not stored: decrypt needs the same context. Internal when key_id is empty or too long, or OpenSSL fails.
  Result<std::string> encrypt(std::string_view key_id, std::string_view plaintext,
                              std::string_view context = {}) const;
  // Internal when the value is malformed or its tag does not verify (tampered, other master key or context).
  Result<std::string> decrypt(std::string_view sealed, std::string_view context = {}) const;

  // A record's partition key and data, sealed together and bound to the record's position:
  // plaintext = key_length:u16 | partition_key | data, context = position:u64 (little-endian).
  Result<std::string> seal_record(std::string_view key_id, uint64_t position, std::string_view partition_key,
                                  std::string_view data) const;
  struct OpenedRecord {
    std::string partition_key;
    std::string data;
  };
  Result<OpenedRecord> open_record(uint64_t position, std::string_view sealed) const;

 private:
  using Key = std::array<unsigned char, 32>;
  Result<Key> data_key(std::string_view key_id) const;
  Result<std::string> seal(std::string_view key_id, std::string_view context,
                           std::initializer_list<std::string_view> parts) const;

  std::string master_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Key> keys_;  // derived data keys by key id
};

// The master key in `path`: read when the file exists (Internal when it does not hold 32 bytes), otherwise
// 32 random bytes written atomically. Blocking (disk).
Result<std::string> load_or_create_master_key(const std::string& path);

}  // namespace kinesisd::engine
