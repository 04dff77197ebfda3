// The server's TLS context: the configured certificate and key, or a self-signed certificate for localhost
// and 127.0.0.1 generated on first start and kept in the data dir.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "kinesisd/util/status.hpp"

namespace kinesisd::net {

struct TlsFiles {
  std::string cert_path;
  std::string key_path;
};

// When `cert` and `key` are empty, uses <data_dir>/tls/{cert,key}.pem, creating them if missing.
Result<TlsFiles> ensure_tls_files(const std::string& cert, const std::string& key, const std::string& data_dir);

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsFiles& files);

}  // namespace kinesisd::net
