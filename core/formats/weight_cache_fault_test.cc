// The weight cache under faults, with real processes: writers killed with SIGKILL at random points, two
// processes converting the same weights at once, and a disk that fills up mid-entry. The weights are made in
// the parent before any fork(), so the children run no thread pool (a forked child owns only its own thread).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/formats/weight_cache.h"
#include "core/formats/weight_cache_maintenance.h"
#include "core/ops/weight_quantization.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

namespace fs = std::filesystem;

constexpr int kKeys = 8;

WeightCacheKey Key(int i) {
  return WeightCacheKey{"/models/m.safetensors:4096:1700000000", "layers." + std::to_string(i) + ".mlp.w_up",
                        "weight_dtype: BF16"};
}

// Distinct weights per key, large enough (256 KiB in bf16) that a write takes a while.
ops::LinearWeight Weight(int i) {
  std::vector<float> v(256 * 512);
  std::mt19937 rng(static_cast<uint32_t>(i));
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& x : v) x = u(rng);
  auto w = ops::QuantizeWeight(Tensor::FromF32({256, 512}, v), DType::kBF16);
  return *std::move(w);
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.nbytes() == b.nbytes() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

class WeightCacheFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("ttt_weight_cache_fault_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    for (int i = 0; i < kKeys; ++i) weights_.push_back(Weight(i));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Files of the directory by kind.
  int Count(bool temporaries) const {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      const bool tmp = e.path().filename().string().find(".tttw.tmp.") != std::string::npos;
      n += tmp == temporaries;
    }
    return n;
  }

  // A child process's work: exit status 0 when `work` returns true. Output goes to `log` when given.
  pid_t Child(const std::function<bool()>& work, const std::string& log = "") {
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (!log.empty()) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::_exit(work() ? 0 : 1);
    }
    return pid;
  }
  static int Wait(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Every key's entry is complete, valid and holds its weight: a later run uses it without converting.
  void ExpectEveryEntryValid() {
    auto cache = WeightCache::Open(dir_);
    ASSERT_TRUE(cache.ok()) << cache.status();
    for (int i = 0; i < kKeys; ++i) {
      bool converted = false;
      auto w = (*cache)->GetOrConvert(Key(i), [&]() -> absl::StatusOr<ops::LinearWeight> {
        converted = true;
        return weights_[i];
      });
      ASSERT_TRUE(w.ok()) << w.status();
      EXPECT_TRUE(SameBytes(w->values, weights_[i].values)) << "key " << i;
      EXPECT_FALSE(converted) << "key " << i << " had no entry";
    }
    EXPECT_EQ((*cache)->stats().rebuilt, 0) << "an entry was damaged";
  }

  std::string dir_;
  std::vector<ops::LinearWeight> weights_;
};

// SIGKILL at random points of writing (each round removes the entries and writes them again, so the kill
// lands in write, fsync or rename): no damaged entry is ever left where a later run would find it, and the
// next WeightCache::Open removes the dead writers' temporaries, so they cannot pile up.
TEST_F(WeightCacheFaultTest, WritersKilledMidEntryLeaveNoDamageAndNoTemporaries) {
  std::mt19937 rng(20);
  int killed_with_temporaries = 0;
  for (int round = 0; round < 40; ++round) {
    const pid_t pid = Child([&] {
      auto cache = WeightCache::Open(dir_);
      if (!cache.ok()) return false;
      for (;;) {
        for (int i = 0; i < kKeys; ++i) {
          ::unlink((*cache)->EntryPath(Key(i)).c_str());
          if (!(*cache)->GetOrConvert(Key(i), [&] { return absl::StatusOr<ops::LinearWeight>(weights_[i]); }).ok()) {
            return false;
          }
        }
      }
    });
    ::usleep(std::uniform_int_distribution<int>(2000, 30000)(rng));
    ::kill(pid, SIGKILL);
    ASSERT_EQ(Wait(pid), 128 + SIGKILL);
    killed_with_temporaries += Count(/*temporaries=*/true) > 0;
  }
  // Keys that no round completed get their entry now; every entry found must be whole.
  {
    auto cache = WeightCache::Open(dir_);
    ASSERT_TRUE(cache.ok()) << cache.status();
    EXPECT_EQ(Count(/*temporaries=*/true), 0) << "Open leaves the temporaries of killed writers";
    for (int i = 0; i < kKeys; ++i) {
      auto w = (*cache)->GetOrConvert(Key(i), [&] { return absl::StatusOr<ops::LinearWeight>(weights_[i]); });
      ASSERT_TRUE(w.ok()) << w.status();
      EXPECT_TRUE(SameBytes(w->values, weights_[i].values)) << "key " << i;
    }
    EXPECT_EQ((*cache)->stats().rebuilt, 0) << "a killed writer left a damaged entry";
  }
  ExpectEveryEntryValid();
  // Not a condition of the test (timing decides), but the kills should have caught writers mid-entry.
  std::cout << killed_with_temporaries << " of 40 kills left a temporary behind\n";
}

// Two processes converting the same model at the same moment both succeed with the same weights, and leave
// one valid entry per weight.
TEST_F(WeightCacheFaultTest, TwoProcessesConvertingTheSameModelAgree) {
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  auto convert_all = [&] {
    ::close(go[1]);
    char c;
    (void)::read(go[0], &c, 1);  // both start when the parent closes the pipe
    auto cache = WeightCache::Open(dir_);
    if (!cache.ok()) return false;
    for (int i = 0; i < kKeys; ++i) {
      auto w = (*cache)->GetOrConvert(Key(i), [&] { return absl::StatusOr<ops::LinearWeight>(weights_[i]); });
      if (!w.ok() || !SameBytes(w->values, weights_[i].values)) return false;
    }
    return true;
  };
  const pid_t a = Child(convert_all), b = Child(convert_all);
  ::close(go[0]);
  ::close(go[1]);
  EXPECT_EQ(Wait(a), 0);
  EXPECT_EQ(Wait(b), 0);
  EXPECT_EQ(Count(/*temporaries=*/true), 0);
  EXPECT_EQ(Count(/*temporaries=*/false), kKeys);
  ExpectEveryEntryValid();
}

// A full disk (here a file-size limit, as `ulimit -f` sets, which fails write() with EFBIG like ENOSPC
// would): the weight is still returned, the log says what failed and where, and nothing is left behind.
TEST_F(WeightCacheFaultTest, AFullDiskIsLoggedAndLeavesNoPartialEntry) {
  ASSERT_TRUE(WeightCache::Open(dir_).ok());
  const std::string log = dir_ + ".log";
  const pid_t pid = Child(
      [&] {
        ::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills the writer instead of failing its write
        const rlimit limit{64 << 10, 64 << 10};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return false;
        auto cache = WeightCache::Open(dir_);
        if (!cache.ok()) return false;
        auto w = (*cache)->GetOrConvert(Key(0), [&] { return absl::StatusOr<ops::LinearWeight>(weights_[0]); });
        return w.ok() && SameBytes(w->values, weights_[0].values);
      },
      log);
  EXPECT_EQ(Wait(pid), 0) << "the weight is returned although it could not be stored";
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  fs::remove(log);
  EXPECT_NE(text.str().find("could not store tensor 'layers.0.mlp.w_up'"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("File too large"), std::string::npos) << text.str();
  EXPECT_EQ(Count(/*temporaries=*/true), 0);
  EXPECT_EQ(Count(/*temporaries=*/false), 0) << "a partial entry was left";
}

TEST(RemoveOrphanedTemporaries, RemovesThoseOfDeadWritersAndOldOnesOnly) {
  const std::string dir = (fs::temp_directory_path() / ("ttt_orphans_" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  auto touch = [&](const std::string& name) { std::ofstream(dir + "/" + name) << "x"; };
  touch("a.tttw.tmp." + std::to_string(dead) + ".1.0");         // its writer is gone
  touch("b.tttw.tmp." + std::to_string(::getpid()) + ".1.0");   // a live writer's
  touch("c.tttw.tmp." + std::to_string(::getpid()) + ".1.1");   // a live PID, but a day old: another host's
  fs::last_write_time(dir + "/c.tttw.tmp." + std::to_string(::getpid()) + ".1.1",
                      fs::file_time_type::clock::now() - std::chrono::hours(25));
  touch("d.tttw");                                                // an entry
  EXPECT_EQ(RemoveOrphanedTemporaries(dir), 2);
  EXPECT_FALSE(fs::exists(dir + "/a.tttw.tmp." + std::to_string(dead) + ".1.0"));
  EXPECT_TRUE(fs::exists(dir + "/b.tttw.tmp." + std::to_string(::getpid()) + ".1.0"));
  EXPECT_TRUE(fs::exists(dir + "/d.tttw"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ttt
