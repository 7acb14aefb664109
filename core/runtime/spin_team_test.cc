#include "core/runtime/spin_team.h"

#include <omp.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ttt {
namespace {

TEST(SpinTeam, RunCallsEveryThreadOnceWithItsIdAndWaitsForAll) {
  SpinTeam::Hold(2, [] {
    SpinTeam* team = SpinTeam::Current();
    ASSERT_NE(team, nullptr);
    EXPECT_EQ(team->size(), 2);
    for (int job = 0; job < 1000; ++job) {
      std::vector<std::atomic<int>> calls(2);
      team->Run([&](int id) { calls[id].fetch_add(1); });
      // Run returned: every thread's call is complete and visible.
      EXPECT_EQ(calls[0].load(), 1);
      EXPECT_EQ(calls[1].load(), 1);
    }
  });
}

TEST(SpinTeam, JobsRunOnDistinctThreads) {
  SpinTeam::Hold(2, [] {
    int thread_of[2] = {-1, -1};
    SpinTeam::Current()->Run([&](int id) { thread_of[id] = omp_get_thread_num(); });
    EXPECT_NE(thread_of[0], thread_of[1]);
  });
}

TEST(SpinTeam, NoTeamOutsideHoldOrWithOneThread) {
  EXPECT_EQ(SpinTeam::Current(), nullptr);
  bool ran = false;
  SpinTeam::Hold(1, [&] {
    ran = true;
    EXPECT_EQ(SpinTeam::Current(), nullptr);
  });
  EXPECT_TRUE(ran);
  EXPECT_EQ(SpinTeam::Current(), nullptr);
}

TEST(SpinTeam, HoldInsideAHoldKeepsTheOuterTeam) {
  SpinTeam::Hold(2, [] {
    SpinTeam* team = SpinTeam::Current();
    bool nested_ran = false;
    SpinTeam::Hold(2, [&] {
      nested_ran = true;
      EXPECT_EQ(SpinTeam::Current(), team);
    });
    EXPECT_TRUE(nested_ran);
  });
}

TEST(SpinTeam, InsideAJobTheCallerHasNoTeam) {
  // The other threads are busy with the job: whatever the job calls must not post to the team again.
  SpinTeam::Hold(2, [] {
    SpinTeam* team = SpinTeam::Current();
    SpinTeam* seen[2] = {team, team};
    team->Run([&](int id) { seen[id] = SpinTeam::Current(); });
    EXPECT_EQ(seen[0], nullptr);
    EXPECT_EQ(seen[1], nullptr);
    EXPECT_EQ(SpinTeam::Current(), team);
  });
}

// Waits longer than the spin budget sleep (the worker between jobs, the holder for a slow worker, the workers
// at the end of the Hold); each must be woken, and see everything written before its wake-up.
constexpr auto kLongerThanTheSpin = SpinTeam::kSpinBudget * 40;

TEST(SpinTeam, SleepingWorkersWakeForTheNextJob) {
  SpinTeam::Hold(2, [] {
    SpinTeam* team = SpinTeam::Current();
    for (int job = 0; job < 20; ++job) {
      std::this_thread::sleep_for(kLongerThanTheSpin);  // the worker has gone to sleep
      int value[2] = {0, 0};
      team->Run([&](int id) { value[id] = job + id; });
      EXPECT_EQ(value[0], job);
      EXPECT_EQ(value[1], job + 1);
    }
  });
}

TEST(SpinTeam, HolderSleepsUntilASlowWorkerFinishes) {
  SpinTeam::Hold(2, [] {
    for (int job = 0; job < 20; ++job) {
      int written = 0;
      SpinTeam::Current()->Run([&](int id) {
        if (id == 1) {
          std::this_thread::sleep_for(kLongerThanTheSpin);
          written = job + 1;
        }
      });
      EXPECT_EQ(written, job + 1);
    }
  });
}

TEST(SpinTeam, HoldEndsWhileWorkersSleep) {
  for (int hold = 0; hold < 5; ++hold) {
    std::atomic<int> calls{0};
    SpinTeam::Hold(2, [&] {
      SpinTeam::Current()->Run([&](int) { calls.fetch_add(1); });
      std::this_thread::sleep_for(kLongerThanTheSpin);
    });
    EXPECT_EQ(calls.load(), 2);
  }
}

}  // namespace
}  // namespace ttt
