// net::ensure_tls_files' self-signed certificate: a server certificate (not a CA, which webpki-based clients such
// as the AWS SDK for Rust refuse as a server's), for localhost and 127.0.0.1, that OpenSSL accepts as its own
// trust anchor for TLS server authentication; kept across starts.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "kinesisd/net/tls_context.hpp"
#include "kinesisd/storage/atomic_file.hpp"

namespace kinesisd::net {
namespace {

namespace fs = std::filesystem;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (cert_ != nullptr) X509_free(cert_);
  }
  X509* load(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    EXPECT_NE(f, nullptr) << path;
    if (f == nullptr) return nullptr;
    cert_ = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    return cert_;
  }

  std::string dir_;
  X509* cert_ = nullptr;
};

TEST_F(TlsContextTest, GeneratedCertificateIsAServerCertificateForLoopback) {
  auto files = ensure_tls_files("", "", dir_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files.value().cert_path, dir_ + "/tls/cert.pem");
  X509* cert = load(files.value().cert_path);
  ASSERT_NE(cert, nullptr);

  EXPECT_EQ(X509_check_ca(cert), 0) << "a CA certificate is refused as a server's by webpki (CaUsedAsEndEntity)";
  const uint32_t flags = X509_get_extension_flags(cert);
  EXPECT_TRUE(flags & EXFLAG_BCONS) << "basicConstraints CA:FALSE is stated";
  EXPECT_FALSE(flags & EXFLAG_CA);
  EXPECT_TRUE(flags & EXFLAG_SS) << "self-signed as OpenSSL sees it";
  EXPECT_TRUE(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "::1", 0), 1);

  // Trusted as its own anchor for TLS server authentication, as clients given the file as CA bundle do.
  X509_STORE* store = X509_STORE_new();
  ASSERT_EQ(X509_STORE_add_cert(store, cert), 1);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  ASSERT_EQ(X509_STORE_CTX_init(ctx, store, cert, nullptr), 1);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(ctx), "127.0.0.1");
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);

  auto tls = make_tls_context(files.value());
  EXPECT_TRUE(tls.ok()) << tls.error().message;
}

TEST_F(TlsContextTest, GeneratedFilesAreKeptAcrossStarts) {
  auto first = ensure_tls_files("", "", dir_);
  ASSERT_TRUE(first.ok());
  auto pem = storage::read_file(first.value().cert_path);
  ASSERT_TRUE(pem.ok());
  auto second = ensure_tls_files("", "", dir_);
  ASSERT_TRUE(second.ok());
  auto again = storage::read_file(second.value().cert_path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(pem.value(), again.value());
}

TEST_F(TlsContextTest, CertificateAndKeyGoTogether) {
  EXPECT_FALSE(ensure_tls_files(dir_ + "/c.pem", "", dir_).ok());
  EXPECT_FALSE(ensure_tls_files("", dir_ + "/k.pem", dir_).ok());
}

}  // namespace
}  // namespace kinesisd::net
