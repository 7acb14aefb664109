#include "core/formats/weight_cache.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <thread>

#include "core/ops/weight_quantization.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class WeightCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("ttt_weight_cache_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<WeightCache> OpenCache() {
    auto cache = WeightCache::Open(dir_);
    EXPECT_TRUE(cache.ok()) << cache.status();
    return cache.ok() ? *std::move(cache) : nullptr;
  }
  // Files in the cache directory other than entries (temporaries, probes).
  int StrayFiles() const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) n += e.path().extension() != ".tttw";
    return n;
  }
  std::string dir_;
};

WeightCacheKey Key(const std::string& tensor = "layers.0.mlp.w_up") {
  return WeightCacheKey{"/models/m.gguf:123456:1700000000", tensor, "weight_dtype: BFP8 fidelity: HiFi2"};
}

Tensor RandomWeight(int64_t n, int64_t k, uint32_t seed) {
  std::vector<float> v(n * k);
  for (auto& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / static_cast<float>(1 << 24) - 0.5f;
  }
  return Tensor::FromF32({n, k}, v);
}

// A convert callback that counts its calls and produces `dtype` (i8 with row scales).
struct Converter {
  DType dtype = DType::kBFP8;
  int calls = 0;
  absl::StatusOr<ops::LinearWeight> operator()() {
    ++calls;
    const Tensor w = RandomWeight(24, 48, 7);
    return ops::QuantizeWeight(w, dtype);
  }
};

void ExpectSameBytes(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.defined(), b.defined());
  if (!a.defined()) return;
  ASSERT_EQ(a.dtype(), b.dtype());
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.nbytes(), b.nbytes());
  EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()), 0);
}

void FlipByte(const std::string& path, std::streamoff offset_from_end) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-offset_from_end, std::ios::end);
  char c;
  f.get(c);
  f.seekp(-offset_from_end, std::ios::end);
  f.put(static_cast<char>(c ^ 0x10));
}

TEST_F(WeightCacheTest, MissThenHitMapsTheSameValues) {
  for (DType dtype : {DType::kBF16, DType::kI8, DType::kBFP8, DType::kBFP4, DType::kF32}) {
    SCOPED_TRACE(std::string(DTypeName(dtype)));
    auto cache = OpenCache();
    Converter convert{dtype};
    const WeightCacheKey key = Key(std::string("t.") + std::string(DTypeName(dtype)));
    auto first = cache->GetOrConvert(key, std::ref(convert));
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(convert.calls, 1);
    auto second = cache->GetOrConvert(key, std::ref(convert));
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(convert.calls, 1) << "a hit must not convert";
    EXPECT_EQ(cache->stats().hits, 1);
    EXPECT_EQ(cache->stats().misses, 1);
    // The hit is a view of the mapped entry, not an owned copy.
    EXPECT_GT(second->values.storage()->size(), second->values.nbytes());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(second->values.raw_data()) % 64, 0u);
    ExpectSameBytes(second->values, first->values);
    ExpectSameBytes(second->row_scale, first->row_scale);
    // A new process (a new cache object) hits too.
    auto reopened = OpenCache();
    auto third = reopened->GetOrConvert(key, std::ref(convert));
    ASSERT_TRUE(third.ok());
    EXPECT_EQ(convert.calls, 1);
    ExpectSameBytes(third->values, first->values);
  }
  EXPECT_EQ(StrayFiles(), 0);
}

// Each kind of damage: the entry is detected, not used, converted again and rewritten; the next read hits.
TEST_F(WeightCacheTest, CorruptOrStaleEntriesAreRebuilt) {
  struct Damage {
    const char* name;
    std::function<void(const std::string& path, WeightCacheKey& key)> apply;
  };
  const std::vector<Damage> damages = {
      {"payload byte flipped", [](const std::string& p, WeightCacheKey&) { FlipByte(p, 5); }},
      {"truncated", [](const std::string& p, WeightCacheKey&) { fs::resize_file(p, fs::file_size(p) - 100); }},
      {"truncated to a few bytes", [](const std::string& p, WeightCacheKey&) { fs::resize_file(p, 10); }},
      {"empty", [](const std::string& p, WeightCacheKey&) { fs::resize_file(p, 0); }},
      {"bad magic",
       [](const std::string& p, WeightCacheKey&) {
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f.write("XXXX", 4);
       }},
      {"header byte flipped (dims)",
       [](const std::string& p, WeightCacheKey&) {
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f.seekp(72);
         f.put(static_cast<char>(25));
       }},
      {"other library version", [](const std::string&, WeightCacheKey& k) { k.library_version = "99.0.0"; }},
  };
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.name);
    fs::remove_all(dir_);
    auto cache = OpenCache();
    Converter convert;
    WeightCacheKey key = Key();
    auto good = cache->GetOrConvert(key, std::ref(convert));
    ASSERT_TRUE(good.ok());
    const std::string path = cache->EntryPath(key);
    ASSERT_TRUE(fs::exists(path));
    d.apply(path, key);
    auto rebuilt = cache->GetOrConvert(key, std::ref(convert));
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    EXPECT_EQ(convert.calls, 2) << "the damaged entry must not be used";
    EXPECT_EQ(cache->stats().rebuilt, 1);
    ExpectSameBytes(rebuilt->values, good->values);
    auto hit = cache->GetOrConvert(key, std::ref(convert));
    ASSERT_TRUE(hit.ok());
    EXPECT_EQ(convert.calls, 2) << "the rewritten entry must be used";
    ExpectSameBytes(hit->values, good->values);
    EXPECT_EQ(StrayFiles(), 0);
  }
}

// The file name hashes (source, tensor, config), so an entry written for one key and found under another's
// name (a hash collision, or a copied file) is caught by the full key stored inside it.
TEST_F(WeightCacheTest, KeyMismatchInsideTheEntryIsStale) {
  auto cache = OpenCache();
  Converter convert;
  WeightCacheKey a = Key("a"), b = Key("b");
  ASSERT_TRUE(cache->GetOrConvert(a, std::ref(convert)).ok());
  fs::copy_file(cache->EntryPath(a), cache->EntryPath(b));
  ASSERT_TRUE(cache->GetOrConvert(b, std::ref(convert)).ok());
  EXPECT_EQ(convert.calls, 2);
  EXPECT_EQ(cache->stats().rebuilt, 1);
}

TEST_F(WeightCacheTest, DifferentConfigsAreDifferentEntries) {
  auto cache = OpenCache();
  Converter convert;
  WeightCacheKey a = Key(), b = Key();
  b.config = "weight_dtype: BFP4";
  ASSERT_TRUE(cache->GetOrConvert(a, std::ref(convert)).ok());
  ASSERT_TRUE(cache->GetOrConvert(b, std::ref(convert)).ok());
  ASSERT_TRUE(cache->GetOrConvert(a, std::ref(convert)).ok());
  ASSERT_TRUE(cache->GetOrConvert(b, std::ref(convert)).ok());
  EXPECT_EQ(convert.calls, 2);
  EXPECT_NE(cache->EntryPath(a), cache->EntryPath(b));
}

TEST_F(WeightCacheTest, FailingConvertLeavesNothingBehind) {
  auto cache = OpenCache();
  auto result = cache->GetOrConvert(Key(), []() -> absl::StatusOr<ops::LinearWeight> {
    return absl::InvalidArgumentError("cannot convert");
  });
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "cannot convert");
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(WeightCacheTest, ConcurrentWritersOfOneKeyLeaveOneValidEntry) {
  {
    auto c1 = OpenCache();
    auto c2 = OpenCache();
    Converter v1, v2;
    std::thread t1([&] { for (int i = 0; i < 20; ++i) ASSERT_TRUE(c1->GetOrConvert(Key("k" + std::to_string(i)), std::ref(v1)).ok()); });
    std::thread t2([&] { for (int i = 0; i < 20; ++i) ASSERT_TRUE(c2->GetOrConvert(Key("k" + std::to_string(i)), std::ref(v2)).ok()); });
    t1.join();
    t2.join();
  }
  EXPECT_EQ(StrayFiles(), 0);
  auto cache = OpenCache();
  Converter convert;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(cache->GetOrConvert(Key("k" + std::to_string(i)), std::ref(convert)).ok());
  EXPECT_EQ(convert.calls, 0) << "every entry is complete and valid";
  EXPECT_EQ(cache->stats().rebuilt, 0);
}

TEST_F(WeightCacheTest, UnusableDirectoryIsAClearError) {
  // A path below a regular file can never be a directory (permissions would not stop root).
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/file") << "x";
  auto cache = WeightCache::Open(dir_ + "/file/cache");
  ASSERT_FALSE(cache.ok());
  EXPECT_NE(std::string(cache.status().message()).find("--no-cache"), std::string::npos) << cache.status();
  EXPECT_FALSE(WeightCache::Open("").ok());
}

TEST_F(WeightCacheTest, DefaultDirectoryFollowsTheEnvironment) {
  const char* saved_ttt = std::getenv("TTT_CACHE_DIR");
  const char* saved_xdg = std::getenv("XDG_CACHE_HOME");
  const std::string ttt = saved_ttt ? saved_ttt : "", xdg = saved_xdg ? saved_xdg : "";
  ::setenv("TTT_CACHE_DIR", "/x/ttt", 1);
  EXPECT_EQ(WeightCache::DefaultDirectory(), "/x/ttt");
  ::unsetenv("TTT_CACHE_DIR");
  ::setenv("XDG_CACHE_HOME", "/y", 1);
  EXPECT_EQ(WeightCache::DefaultDirectory(), "/y/ttt");
  ::unsetenv("XDG_CACHE_HOME");
  EXPECT_NE(WeightCache::DefaultDirectory().find(".cache/ttt"), std::string::npos);
  if (saved_ttt) ::setenv("TTT_CACHE_DIR", ttt.c_str(), 1);
  if (saved_xdg) ::setenv("XDG_CACHE_HOME", xdg.c_str(), 1);
}

}  // namespace
}  // namespace ttt
