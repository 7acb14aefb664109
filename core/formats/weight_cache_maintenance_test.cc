#include "core/formats/weight_cache_maintenance.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {
namespace fs = std::filesystem;

class WeightCacheMaintenance : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ttt-cache-maintenance-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // An entry of `bytes` bytes last used `age` ago.
  void Entry(const std::string& name, size_t bytes, std::chrono::hours age) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << std::string(bytes, 'x');
    fs::last_write_time(path, fs::file_time_type::clock::now() - age);
  }
  fs::path dir_;
};

TEST_F(WeightCacheMaintenance, ListsEntriesOldestUseFirstAndSkipsTemporaries) {
  Entry("new.tttw", 10, std::chrono::hours(1));
  Entry("old.tttw", 20, std::chrono::hours(48));
  Entry("old.tttw.tmp.1.2.3", 5, std::chrono::hours(0));
  auto entries = ListWeightCache(dir_.string());
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(fs::path((*entries)[0].path).filename(), "old.tttw");
  EXPECT_EQ((*entries)[0].bytes, 20);
  EXPECT_EQ(fs::path((*entries)[1].path).filename(), "new.tttw");
}

TEST_F(WeightCacheMaintenance, PruneEvictsLeastRecentlyUsedDownToTheLimit) {
  Entry("a.tttw", 100, std::chrono::hours(30));
  Entry("b.tttw", 100, std::chrono::hours(20));
  Entry("c.tttw", 100, std::chrono::hours(10));
  auto result = PruneWeightCache(dir_.string(), 150);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->removed_entries, 2);
  EXPECT_EQ(result->removed_bytes, 200);
  EXPECT_EQ(result->kept_bytes, 100);
  EXPECT_FALSE(fs::exists(dir_ / "a.tttw"));
  EXPECT_FALSE(fs::exists(dir_ / "b.tttw"));
  EXPECT_TRUE(fs::exists(dir_ / "c.tttw"));
}

TEST_F(WeightCacheMaintenance, MissingDirectoryIsAnEmptyCache) {
  auto entries = ListWeightCache((dir_ / "none").string());
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

TEST(ParseByteSize, UnitsArePowersOf1024) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096);
  EXPECT_EQ(*ParseByteSize("2K"), 2048);
  EXPECT_EQ(*ParseByteSize("1.5G"), 1610612736);
  EXPECT_EQ(*ParseByteSize("20GiB"), 20LL << 30);
  EXPECT_EQ(*ParseByteSize("512mb"), 512LL << 20);
  EXPECT_FALSE(ParseByteSize("lots").ok());
  EXPECT_FALSE(ParseByteSize("5X").ok());
  EXPECT_FALSE(ParseByteSize("-1G").ok());
}

}  // namespace
}  // namespace ttt
