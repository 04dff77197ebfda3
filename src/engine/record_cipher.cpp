#include "kinesisd/engine/record_cipher.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>

#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/storage/record_frame.hpp"

namespace kinesisd::engine {
namespace {

// HKDF-SHA256 salt; the info is SHA-256 of the key id (docs/log-format.md).
constexpr std::string_view kHkdfSalt = "kinesisd/record-encryption/v1";
constexpr size_t kMaxCachedKeys = 4096;
// The frame format leaves room for the largest sealed record: the envelope plus the partition key's length.
static_assert(RecordCipher::overhead(RecordCipher::kMaxKeyIdBytes) + 2 == storage::kMaxEncryptionOverhead);

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

Error failure(const std::string& what) { return make_error(ErrorCode::kInternal, "record encryption: " + what); }

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s, size_t at) { return reinterpret_cast<unsigned char*>(s.data()) + at; }

void put_u16(std::string& out, size_t at, uint16_t v) {
  out[at] = static_cast<char>(v & 0xff);
  out[at + 1] = static_cast<char>(v >> 8);
}

uint16_t get_u16(std::string_view in, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(in[at]) | (static_cast<unsigned char>(in[at + 1]) << 8));
}

std::string u64_le(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// Feeds the additional authenticated data: the stored header (key id length and key id), then the context.
bool add_aad(EVP_CIPHER_CTX* ctx, std::string_view header, std::string_view context, bool encrypting) {
  int len = 0;
  for (std::string_view part : {header, context}) {
    if (part.empty()) continue;
    const int ok = encrypting ? EVP_EncryptUpdate(ctx, nullptr, &len, bytes(part), static_cast<int>(part.size()))
                              : EVP_DecryptUpdate(ctx, nullptr, &len, bytes(part), static_cast<int>(part.size()));
    if (ok != 1) return false;
  }
  return true;
}

}  // namespace

RecordCipher::RecordCipher(std::string master_key) : master_(std::move(master_key)) {}

Result<RecordCipher::Key> RecordCipher::data_key(std::string_view key_id) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(std::string(key_id)); it != keys_.end()) return it->second;
  }
  unsigned char info[SHA256_DIGEST_LENGTH];
  SHA256(bytes(key_id), key_id.size(), info);
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return failure("HKDF is not available");
  EVP_KDF_CTX* kctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (kctx == nullptr) return failure("cannot create an HKDF context");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(master_.data()), master_.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kHkdfSalt.data()), kHkdfSalt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info)),
      OSSL_PARAM_construct_end(),
  };
  Key key{};
  const int ok = EVP_KDF_derive(kctx, key.data(), key.size(), params);
  EVP_KDF_CTX_free(kctx);
  if (ok != 1) return failure("HKDF failed");
  std::lock_guard lock(mu_);
  if (keys_.size() >= kMaxCachedKeys) keys_.clear();
  keys_.emplace(std::string(key_id), key);
  return key;
}

Result<std::string> RecordCipher::seal(std::string_view key_id, std::string_view context,
                                       std::initializer_list<std::string_view> parts) const {
  if (key_id.empty() || key_id.size() > kMaxKeyIdBytes) return failure("invalid key id length");
  if (aes_256_gcm() == nullptr) return failure("AES-256-GCM is not available");
  auto key = data_key(key_id);
  if (!key) return key.error();
  size_t plain = 0;
  for (auto p : parts) plain += p.size();
  const size_t header = 2 + key_id.size();
  std::string out(overhead(key_id.size()) + plain, '\0');
  put_u16(out, 0, static_cast<uint16_t>(key_id.size()));
  std::memcpy(out.data() + 2, key_id.data(), key_id.size());
  unsigned char* nonce = bytes(out, header);
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1) return failure("no random bytes for the nonce");

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), aes_256_gcm(), nullptr, key->data(), nonce) != 1 ||
      !add_aad(ctx.get(), std::string_view(out.data(), header), context, true)) {
    return failure("cannot start AES-256-GCM");
  }
  size_t at = header + kNonceBytes;
  for (auto p : parts) {
    if (p.empty()) continue;
    int len = 0;
    if (EVP_EncryptUpdate(ctx.get(), bytes(out, at), &len, bytes(p), static_cast<int>(p.size())) != 1) {
      return failure("AES-256-GCM failed");
    }
    at += static_cast<size_t>(len);
  }
  int len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), bytes(out, at), &len) != 1) return failure("AES-256-GCM failed");
  at += static_cast<size_t>(len);
  if (at != header + kNonceBytes + plain ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), bytes(out, at)) != 1) {
    return failure("AES-256-GCM failed");
  }
  return out;
}

Result<std::string> RecordCipher::encrypt(std::string_view key_id, std::string_view plaintext,
                                          std::string_view context) const {
  return seal(key_id, context, {plaintext});
}

Result<std::string> RecordCipher::decrypt(std::string_view sealed, std::string_view context) const {
  if (sealed.size() < 2) return failure("the value is too short");
  const size_t key_len = get_u16(sealed, 0);
  if (key_len == 0 || key_len > kMaxKeyIdBytes || sealed.size() < overhead(key_len)) {
    return failure("the value is malformed");
  }
  if (aes_256_gcm() == nullptr) return failure("AES-256-GCM is not available");
  const std::string_view key_id = sealed.substr(2, key_len);
  auto key = data_key(key_id);
  if (!key) return key.error();
  const size_t header = 2 + key_len;
  const auto* nonce = bytes(sealed.substr(header, kNonceBytes));
  const std::string_view cipher = sealed.substr(header + kNonceBytes, sealed.size() - overhead(key_len));
  std::string tag(sealed.substr(sealed.size() - kTagBytes));

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), aes_256_gcm(), nullptr, key->data(), nonce) != 1 ||
      !add_aad(ctx.get(), sealed.substr(0, header), context, false)) {
    return failure("cannot start AES-256-GCM");
  }
  std::string out(cipher.size(), '\0');
  int len = 0;
  if (!cipher.empty() &&
      EVP_DecryptUpdate(ctx.get(), bytes(out, 0), &len, bytes(cipher), static_cast<int>(cipher.size())) != 1) {
    return failure("AES-256-GCM failed");
  }
  int final_len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(out, static_cast<size_t>(len)), &final_len) != 1) {
    return failure("the authentication tag does not verify");
  }
  return out;
}

Result<std::string> RecordCipher::seal_record(std::string_view key_id, uint64_t position,
                                              std::string_view partition_key, std::string_view data) const {
  if (partition_key.size() > 0xffff) return failure("partition key too long");
  std::string key_length(2, '\0');
  put_u16(key_length, 0, static_cast<uint16_t>(partition_key.size()));
  return seal(key_id, u64_le(position), {key_length, partition_key, data});
}

Result<RecordCipher::OpenedRecord> RecordCipher::open_record(uint64_t position, std::string_view sealed) const {
  auto plain = decrypt(sealed, u64_le(position));
  if (!plain) return plain.error();
  std::string& p = plain.value();
  if (p.size() < 2 || p.size() < 2 + static_cast<size_t>(get_u16(p, 0))) return failure("the record is malformed");
  const size_t key_len = get_u16(p, 0);
  OpenedRecord out;
  out.partition_key = p.substr(2, key_len);
  p.erase(0, 2 + key_len);
  out.data = std::move(p);
  return out;
}

Result<std::string> load_or_create_master_key(const std::string& path) {
  auto existing = storage::read_file(path);
  if (existing && existing->size() == RecordCipher::kMasterKeyBytes) return existing.value();
  if (existing) {
    return make_error(ErrorCode::kInternal, path + " is damaged (expected " +
                                                std::to_string(RecordCipher::kMasterKeyBytes) + " bytes)");
  }
  if (existing.error().code != ErrorCode::kResourceNotFound) return existing.error();
  std::string key(RecordCipher::kMasterKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return make_error(ErrorCode::kInternal, "no random bytes for " + path);
  }
  if (auto s = storage::write_file_atomically(path, key); !s) return s.error();
  return key;
}

}  // namespace kinesisd::engine
