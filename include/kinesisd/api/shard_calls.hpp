// Awaitable wrappers over shard actor calls: the coroutine resumes on its own executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "kinesisd/engine/shard.hpp"

namespace kinesisd::api {

// One shard's part of a write: its records, in request order.
struct ShardWrite {
  std::shared_ptr<engine::Shard> shard;
  std::shared_ptr<std::vector<engine::AppendRequest>> records;
  std::string encryption_key_id;              // non-empty: store the records encrypted under it
  std::vector<engine::AppendResult> results;  // filled in
};

// Sends every part to its shard at once and returns when all are answered.
boost::asio::awaitable<void> append_all(std::vector<ShardWrite>& writes);

boost::asio::awaitable<Status> admit_read(engine::Shard& shard);

// Closes a parent shard to writes; returns its end position once no accepted write is left unassigned.
boost::asio::awaitable<uint64_t> close_shard(engine::Shard& shard);

}  // namespace kinesisd::api
