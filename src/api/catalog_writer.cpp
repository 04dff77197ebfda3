#include "kinesisd/api/catalog_writer.hpp"

#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/util/async.hpp"

namespace kinesisd::api {

Status CatalogWriter::flush() {
  std::lock_guard lock(write_mu_);
  if (registry_.version() <= written_version_ && written_version_ != 0) return Status::Ok();
  uint64_t version = 0;
  const std::string snapshot = registry_.snapshot(&version);
  if (auto s = storage::write_file_atomically(path_, snapshot); !s) return s;
  written_version_.store(version, std::memory_order_release);
  return Status::Ok();
}

boost::asio::awaitable<Status> CatalogWriter::persist() {
  co_return co_await run_on<Status>(storage_, [this] { return flush(); });
}

}  // namespace kinesisd::api
