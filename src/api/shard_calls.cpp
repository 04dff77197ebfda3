#include "kinesisd/api/shard_calls.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

namespace kinesisd::api {

namespace asio = boost::asio;

boost::asio::awaitable<void> append_all(std::vector<ShardWrite>& writes) {
  if (writes.empty()) co_return;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&writes](auto handler) {
        using Handler = decltype(handler);
        struct Gather {
          std::atomic<size_t> remaining;
          Handler handler;
          Gather(size_t n, Handler h) : remaining(n), handler(std::move(h)) {}
        };
        auto gather = std::make_shared<Gather>(writes.size(), std::move(handler));
        for (auto& w : writes) {
          w.shard->append(
              w.records,
              [gather, &w](std::vector<engine::AppendResult> results) {
                w.results = std::move(results);
                if (gather->remaining.fetch_sub(1) != 1) return;
                auto home = asio::get_associated_executor(gather->handler);
                asio::post(home, [gather] { std::move(gather->handler)(); });
              },
              w.encryption_key_id);
        }
      },
      asio::use_awaitable);
}

boost::asio::awaitable<Status> admit_read(engine::Shard& shard) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Status)>(
      [&shard](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        shard.admit_read([h](Status s) {
          auto home = asio::get_associated_executor(*h);
          asio::post(home, [h, s] { std::move(*h)(s); });
        });
      },
      asio::use_awaitable);
}

boost::asio::awaitable<uint64_t> close_shard(engine::Shard& shard) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(uint64_t)>(
      [&shard](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        shard.close([h](uint64_t end) {
          auto home = asio::get_associated_executor(*h);
          asio::post(home, [h, end] { std::move(*h)(end); });
        });
      },
      asio::use_awaitable);
}

}  // namespace kinesisd::api
