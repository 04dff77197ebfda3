// storage::write_file_atomically / read_file / make_directories.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "kinesisd/storage/atomic_file.hpp"

namespace kinesisd::storage {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/kinesisd-atomic-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  size_t entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }

  std::string dir_;
};

TEST_F(AtomicFileTest, WriteThenRead) {
  ASSERT_TRUE(write_file_atomically(path("catalog.json"), "{\"format\":1}").ok());
  auto back = read_file(path("catalog.json"));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), "{\"format\":1}");
}

TEST_F(AtomicFileTest, OverwriteReplacesWholeContent) {
  ASSERT_TRUE(write_file_atomically(path("f"), std::string(10000, 'a')).ok());
  ASSERT_TRUE(write_file_atomically(path("f"), "short").ok());
  auto back = read_file(path("f"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), "short");
  EXPECT_EQ(fs::file_size(path("f")), 5u);
}

TEST_F(AtomicFileTest, NoTemporaryFileLeftBehind) {
  ASSERT_TRUE(write_file_atomically(path("f"), "one").ok());
  ASSERT_TRUE(write_file_atomically(path("f"), "two").ok());
  EXPECT_FALSE(fs::exists(path("f.tmp")));
  EXPECT_EQ(entries(), 1u);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(AtomicFileTest, BinaryAndEmptyContent) {
  std::string bytes;
  for (int round = 0; round < 4096; ++round) bytes.push_back(static_cast<char>(round % 256));
  ASSERT_TRUE(write_file_atomically(path("bin"), bytes).ok());
  auto back = read_file(path("bin"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), bytes);

  ASSERT_TRUE(write_file_atomically(path("empty"), "").ok());
  auto empty = read_file(path("empty"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
}

TEST_F(AtomicFileTest, NewFileIsReadableAndWritableByOwner) {
  ASSERT_TRUE(write_file_atomically(path("perm"), "x").ok());
  struct stat st {};
  ASSERT_EQ(::stat(path("perm").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IRUSR);
  EXPECT_TRUE(st.st_mode & S_IWUSR);
}

TEST_F(AtomicFileTest, ReadMissingFileIsResourceNotFound) {
  auto r = read_file(path("nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceNotFound);
  EXPECT_NE(r.error().message.find(path("nope")), std::string::npos) << r.error().message;
  auto deeper = read_file(path("no/such/dir/file"));
  ASSERT_FALSE(deeper.ok());
  EXPECT_EQ(deeper.error().code, ErrorCode::kResourceNotFound);
}

TEST_F(AtomicFileTest, ReadDirectoryIsAnError) {
  auto r = read_file(dir_);
  ASSERT_FALSE(r.ok()) << "read_file of a directory returned '" << r.value() << "'";
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST_F(AtomicFileTest, WriteIntoMissingDirectoryFails) {
  const Status s = write_file_atomically(path("missing/f"), "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("cannot create"), std::string::npos) << s.error().message;
  EXPECT_FALSE(fs::exists(path("missing")));
}

TEST_F(AtomicFileTest, MakeDirectoriesNested) {
  const std::string nested = path("a/b/c/d");
  ASSERT_TRUE(make_directories(nested).ok());
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_TRUE(make_directories(nested).ok()) << "existing directories are fine";
  ASSERT_TRUE(write_file_atomically(nested + "/f", "deep").ok());
  EXPECT_EQ(read_file(nested + "/f").value(), "deep");
}

TEST_F(AtomicFileTest, MakeDirectoriesThroughAFileFails) {
  ASSERT_TRUE(write_file_atomically(path("file"), "x").ok());
  const Status s = make_directories(path("file/sub"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_EQ(s.error().message.rfind("cannot create directory " + path("file/sub"), 0), 0u) << s.error().message;
}

TEST_F(AtomicFileTest, RelativePathInCurrentDirectory) {
  const fs::path old = fs::current_path();
  fs::current_path(dir_);
  const Status s = write_file_atomically("relative.txt", "rel");
  fs::current_path(old);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(read_file(path("relative.txt")).value(), "rel");
}

}  // namespace
}  // namespace kinesisd::storage
