#include "kinesisd/engine/record_cipher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kinesisd/engine/shard.hpp"

#include "kinesisd/storage/atomic_file.hpp"
#include "kinesisd/storage/record_frame.hpp"

namespace kinesisd::engine {
namespace {

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');
constexpr std::string_view kKeyId = "alias/aws/kinesis";
constexpr std::string_view kKeyArn = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012";

uint16_t u16_at(const std::string& s, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8));
}

TEST(RecordCipherTest, RoundTrip) {
  const RecordCipher cipher(kKeyA);
  for (const std::string& plain : {std::string(), std::string("hello"), std::string(100000, '\x07')}) {
    auto sealed = cipher.encrypt(kKeyId, plain);
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_EQ(sealed->size(), plain.size() + RecordCipher::overhead(kKeyId.size()));
    auto opened = cipher.decrypt(*sealed);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(RecordCipherTest, LayoutCarriesTheKeyIdAndHidesThePlaintext) {
  const RecordCipher cipher(kKeyA);
  const std::string plain = "a very recognisable plaintext";
  auto sealed = cipher.encrypt(kKeyArn, plain);
  ASSERT_TRUE(sealed);
  ASSERT_EQ(u16_at(*sealed, 0), kKeyArn.size());
  EXPECT_EQ(sealed->substr(2, kKeyArn.size()), kKeyArn);
  EXPECT_EQ(sealed->find(plain), std::string::npos);
  // A different master key reads the same key id.
  EXPECT_EQ(RecordCipher(kKeyB).encrypt(kKeyArn, plain)->substr(0, 2 + kKeyArn.size()),
            sealed->substr(0, 2 + kKeyArn.size()));
}

TEST(RecordCipherTest, DifferentKeyIdsGiveDifferentCiphertexts) {
  const RecordCipher cipher(kKeyA);
  const std::string plain(64, 'x');
  auto a = cipher.encrypt("alias/one", plain);
  auto b = cipher.encrypt("alias/two", plain);
  ASSERT_TRUE(a && b);
  const size_t header = 2 + 9;
  const std::string body_a = a->substr(header + RecordCipher::kNonceBytes);
  const std::string body_b = b->substr(header + RecordCipher::kNonceBytes);
  EXPECT_NE(body_a, body_b);
  // Rewriting the stored key id (to another of the same length) makes the value unreadable: the data key
  // comes from the key id.
  std::string swapped = *a;
  swapped.replace(2, 9, "alias/two");
  EXPECT_FALSE(cipher.decrypt(swapped));
  EXPECT_TRUE(cipher.decrypt(*b));
}

TEST(RecordCipherTest, NoncesAreUnique) {
  const RecordCipher cipher(kKeyA);
  std::set<std::string> nonces, bodies;
  const size_t header = 2 + kKeyId.size();
  for (int i = 0; i < 2000; ++i) {
    auto sealed = cipher.encrypt(kKeyId, "same plaintext every time");
    ASSERT_TRUE(sealed);
    nonces.insert(sealed->substr(header, RecordCipher::kNonceBytes));
    bodies.insert(sealed->substr(header + RecordCipher::kNonceBytes));
  }
  EXPECT_EQ(nonces.size(), 2000u);
  EXPECT_EQ(bodies.size(), 2000u);  // the same plaintext never encrypts the same way twice
}

TEST(RecordCipherTest, AnyTamperedByteIsRefused) {
  const RecordCipher cipher(kKeyA);
  auto sealed = cipher.encrypt(kKeyId, "payload bytes");
  ASSERT_TRUE(sealed);
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto opened = cipher.decrypt(bad);
    EXPECT_FALSE(opened) << "byte " << i;
    if (!opened) {
      EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
    }
  }
}

TEST(RecordCipherTest, TruncatedOrMalformedValuesAreRefused) {
  const RecordCipher cipher(kKeyA);
  auto sealed = cipher.encrypt(kKeyId, "payload");
  ASSERT_TRUE(sealed);
  for (size_t n = 0; n < sealed->size(); ++n) EXPECT_FALSE(cipher.decrypt(sealed->substr(0, n))) << n;
  EXPECT_FALSE(cipher.decrypt(*sealed + "x"));
  EXPECT_FALSE(cipher.decrypt(std::string("\0\0", 2) + std::string(40, 'z')));  // empty key id
  EXPECT_FALSE(cipher.encrypt("", "x"));
  EXPECT_FALSE(cipher.encrypt(std::string(RecordCipher::kMaxKeyIdBytes + 1, 'k'), "x"));
  EXPECT_TRUE(cipher.encrypt(std::string(RecordCipher::kMaxKeyIdBytes, 'k'), "x"));
}

TEST(RecordCipherTest, WrongMasterKeyIsRefused) {
  auto sealed = RecordCipher(kKeyA).encrypt(kKeyId, "secret");
  ASSERT_TRUE(sealed);
  auto opened = RecordCipher(kKeyB).decrypt(*sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(RecordCipher(kKeyA).decrypt(*sealed));  // a new instance with the same key derives the same key
}

TEST(RecordCipherTest, ContextIsAuthenticated) {
  const RecordCipher cipher(kKeyA);
  auto sealed = cipher.encrypt(kKeyId, "data", "context-1");
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(cipher.decrypt(*sealed, "context-1"));
  EXPECT_FALSE(cipher.decrypt(*sealed, "context-2"));
  EXPECT_FALSE(cipher.decrypt(*sealed));
}

TEST(RecordCipherTest, RecordsKeepPartitionKeyAndDataAndAreBoundToTheirPosition) {
  const RecordCipher cipher(kKeyA);
  auto sealed = cipher.seal_record(kKeyArn, 42, "customer-7", std::string("\0bin\xff", 5));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("customer-7"), std::string::npos);
  auto opened = cipher.open_record(42, *sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->partition_key, "customer-7");
  EXPECT_EQ(opened->data, std::string("\0bin\xff", 5));
  EXPECT_FALSE(cipher.open_record(43, *sealed));  // moved to another position
  auto empty = cipher.seal_record(kKeyId, 0, "", "");
  ASSERT_TRUE(empty);
  auto opened_empty = cipher.open_record(0, *empty);
  ASSERT_TRUE(opened_empty);
  EXPECT_TRUE(opened_empty->partition_key.empty());
  EXPECT_TRUE(opened_empty->data.empty());
}

TEST(RecordCipherTest, LargestRecordFitsTheFrameFormat) {
  const RecordCipher cipher(kKeyA);
  const std::string key_id(RecordCipher::kMaxKeyIdBytes, 'k');
  const std::string pk(256, 'p');
  const std::string data(10 * 1024 * 1024 - pk.size(), 'd');  // data and key fill the 10 MiB record limit
  auto sealed = cipher.seal_record(key_id, 1, pk, data);
  ASSERT_TRUE(sealed);
  EXPECT_LE(storage::kPayloadFixedBytes + sealed->size(), storage::kMaxPayloadBytes);
}

TEST(RecordCipherTest, MasterKeyIsCreatedOnceAndKept) {
  const auto dir = std::filesystem::temp_directory_path() / ("record_cipher_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "encryption.key").string();
  auto first = load_or_create_master_key(path);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), RecordCipher::kMasterKeyBytes);
  auto again = load_or_create_master_key(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  ASSERT_TRUE(storage::write_file_atomically(path, "short"));
  EXPECT_FALSE(load_or_create_master_key(path));  // a damaged key is never replaced silently
  std::filesystem::remove_all(dir);
}

// The shard actor seals the records of appends that name a key id (on the storage pool) and leaves the others
// plain; without a cipher such an append fails and its positions are skipped.
class ShardEncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("shard_cipher_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    pool_.join();
    shard_.reset();
    std::filesystem::remove_all(dir_);
  }
  void make_shard(std::shared_ptr<const RecordCipher> cipher) {
    std::vector<std::string> report;
    auto log = storage::ShardLog::open(dir_.string(), storage::ShardLog::Options{}, report);
    ASSERT_TRUE(log) << log.error().message;
    ShardOptions options;
    options.cipher = std::move(cipher);
    shard_ = std::make_shared<Shard>(io_, pool_.get_executor(), std::move(log.value()), options, "throttled");
  }
  std::vector<AppendResult> append(std::vector<AppendRequest> records, std::string key_id) {
    std::vector<AppendResult> out;
    bool done = false;
    shard_->append(
        std::make_shared<const std::vector<AppendRequest>>(std::move(records)),
        [&](std::vector<AppendResult> r) {
          out = std::move(r);
          done = true;
        },
        std::move(key_id));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done && std::chrono::steady_clock::now() < deadline) io_.run_one_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(done);
    return out;
  }

  std::filesystem::path dir_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
      boost::asio::make_work_guard(io_);
  boost::asio::thread_pool pool_{2};
  std::shared_ptr<Shard> shard_;
};

TEST_F(ShardEncryptionTest, SealsOnlyTheRecordsOfEncryptedAppends) {
  auto cipher = std::make_shared<const RecordCipher>(kKeyA);
  make_shard(cipher);
  ASSERT_TRUE(append({{"plain-key", "plain-data"}}, "")[0].status);
  auto sealed = append({{"secret-key", "secret-data"}, {"", "no-key"}}, std::string(kKeyArn));
  ASSERT_EQ(sealed.size(), 2u);
  EXPECT_TRUE(sealed[0].status && sealed[1].status);
  auto read = shard_->log().read(0, 10, 1u << 20);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->records.size(), 3u);
  EXPECT_EQ(read->records[0].flags, 0);
  EXPECT_EQ(read->records[0].partition_key, "plain-key");
  EXPECT_EQ(read->records[0].data, "plain-data");
  const std::vector<std::pair<std::string, std::string>> expected = {{"secret-key", "secret-data"}, {"", "no-key"}};
  for (size_t i = 1; i < 3; ++i) {
    const auto& r = read->records[i];
    EXPECT_EQ(r.flags, storage::kFlagEncrypted);
    EXPECT_TRUE(r.partition_key.empty());
    EXPECT_EQ(r.data.find(expected[i - 1].second), std::string::npos);
    auto opened = cipher->open_record(r.position, r.data);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(opened->partition_key, expected[i - 1].first);
    EXPECT_EQ(opened->data, expected[i - 1].second);
  }
}

// A failed write's positions are never handed out again (docs/reliability.md): the next record comes after
// them, and a reader from the start sees only records that were written.
TEST_F(ShardEncryptionTest, WithoutACipherAnEncryptedAppendFailsAndItsPositionIsNotReused) {
  make_shard(nullptr);
  auto failed = append({{"k", "v"}}, std::string(kKeyId));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_FALSE(failed[0].status);
  auto ok = append({{"k", "v2"}}, "");
  ASSERT_TRUE(ok[0].status);
  EXPECT_EQ(ok[0].position, 1u);
  auto read = shard_->log().read(0, 10, 1 << 20);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->records.size(), 1u);
  EXPECT_EQ(read->records[0].position, 1u);
  EXPECT_EQ(read->records[0].data, "v2");
}

}  // namespace
}  // namespace kinesisd::engine
