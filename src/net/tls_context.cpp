#include "kinesisd/net/tls_context.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>

#include "kinesisd/storage/atomic_file.hpp"

namespace kinesisd::net {
namespace {

Error tls_error(const std::string& what) { return make_error(ErrorCode::kInternal, "TLS: " + what); }

std::string pem_of_key(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

std::string pem_of_cert(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

Status generate_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return tls_error("cannot generate a key");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("kinesisd"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  bool extensions_ok = true;
  // A server (end-entity) certificate that clients trust directly, as its own anchor. Not a CA: webpki (rustls,
  // so the AWS SDK for Rust) refuses a CA certificate as a server's (CaUsedAsEndEntity). No keyUsage, so OpenSSL
  // still sees a self-signed certificate (it requires keyCertSign on an issuer when keyUsage is present).
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
                            std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_ext_key_usage, "serverAuth"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
      extensions_ok = false;
      break;
    }
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  Status result = Status::Ok();
  if (!extensions_ok) {
    result = tls_error("cannot build the certificate's extensions");
  } else if (X509_sign(cert, key, EVP_sha256()) == 0) {
    result = tls_error("cannot sign the certificate");
  } else {
    result = storage::write_file_atomically(key_path, pem_of_key(key));
    if (result)
      result = storage::write_file_atomically(cert_path, pem_of_cert(cert), 0644);  // public; clients read it
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return result;
}

}  // namespace

Result<TlsFiles> ensure_tls_files(const std::string& cert, const std::string& key, const std::string& data_dir) {
  if (!cert.empty() || !key.empty()) {
    if (cert.empty() || key.empty()) return tls_error("--tls-cert and --tls-key must be given together");
    return TlsFiles{cert, key};
  }
  const std::string dir = data_dir + "/tls";
  TlsFiles files{dir + "/cert.pem", dir + "/key.pem"};
  if (std::filesystem::exists(files.cert_path) && std::filesystem::exists(files.key_path)) return files;
  if (auto s = storage::make_directories(dir); !s) return s.error();
  if (auto s = generate_self_signed(files.cert_path, files.key_path); !s) return s.error();
  return files;
}

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  ctx->use_certificate_chain_file(files.cert_path, ec);
  if (ec) return tls_error("cannot load certificate " + files.cert_path + ": " + ec.message());
  ctx->use_private_key_file(files.key_path, ssl::context::pem, ec);
  if (ec) return tls_error("cannot load key " + files.key_path + ": " + ec.message());
  // ALPN: h2 when the client offers it (the AWS SDKs for JavaScript v3 and Java v2), else http/1.1.
  SSL_CTX_set_alpn_select_cb(
      ctx->native_handle(),
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
         void*) -> int {
        static const unsigned char kProtocols[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* selected = nullptr;
        if (SSL_select_next_proto(&selected, outlen, kProtocols, sizeof kProtocols, in, inlen) ==
            OPENSSL_NPN_NEGOTIATED) {
          *out = selected;
          return SSL_TLSEXT_ERR_OK;
        }
        return SSL_TLSEXT_ERR_NOACK;
      },
      nullptr);
  return ctx;
}

}  // namespace kinesisd::net
