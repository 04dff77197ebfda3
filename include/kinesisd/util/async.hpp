// Running blocking work (disk writes, fsync) on a storage executor from a coroutine on an I/O thread,
// resuming the coroutine on its own executor afterwards.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/associated_executor.hpp>
#include <utility>

namespace kinesisd {

// Runs `work()` (returning T) on `executor`; the awaiting coroutine continues on its own executor.
template <class T, class Executor, class Work>
boost::asio::awaitable<T> run_on(Executor executor, Work work) {
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
      [executor, work = std::move(work)](auto handler) mutable {
        boost::asio::post(executor, [work = std::move(work), handler = std::move(handler)]() mutable {
          T result = work();
          auto home = boost::asio::get_associated_executor(handler);
          boost::asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      boost::asio::use_awaitable);
}

}  // namespace kinesisd
