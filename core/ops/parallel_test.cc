// ParallelRanges and ParallelItems on an OpenMP region and on a held SpinTeam (a decode step).
#include "core/ops/internal/parallel.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ttt::ops::internal {
namespace {

constexpr int64_t kLargeWork = int64_t{1} << 30;  // always worth both threads

// The same ranges on a held team as on an OpenMP region (results do not depend on which ran the op), every
// index once.
TEST(Parallel, RangesAndItemsCoverEveryIndexOnceOnATeamAsOnARegion) {
  for (const int64_t count : {1, 15, 16, 17, 576, 1001}) {
    std::vector<int> ranges_cover(count, 0), items_cover(count, 0);
    std::vector<std::pair<int64_t, int64_t>> in_team, in_region;
    SpinTeam::Hold(2, [&] {
      ParallelRanges(count, kLargeWork, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) ++ranges_cover[i];
#pragma omp critical
        in_team.emplace_back(b, e);
      });
      ParallelItems(count, 2, 1, [&](int64_t item, int thread) {
        ASSERT_LT(thread, 2);
        ++items_cover[item];
      });
    });
    ParallelRanges(count, kLargeWork, 16, [&](int64_t b, int64_t e) {
#pragma omp critical
      in_region.emplace_back(b, e);
    });
    for (int c : ranges_cover) ASSERT_EQ(c, 1) << count;
    for (int c : items_cover) ASSERT_EQ(c, 1) << count;
    std::sort(in_team.begin(), in_team.end());
    std::sort(in_region.begin(), in_region.end());
    EXPECT_EQ(in_team, in_region) << count;
  }
}

TEST(Parallel, AnOpCalledFromAnotherOpsRangeRunsOnItsThreadAlone) {
  std::vector<int> covered(1000, 0);
  SpinTeam::Hold(2, [&] {
    ParallelRanges(2, kLargeWork, 1, [&](int64_t begin, int64_t) {
      if (begin != 0) return;
      ParallelRanges(1000, kLargeWork, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) ++covered[i];
      });
    });
  });
  for (int c : covered) ASSERT_EQ(c, 1);
}

}  // namespace
}  // namespace ttt::ops::internal
