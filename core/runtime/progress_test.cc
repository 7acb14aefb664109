#include "core/runtime/progress.h"

#include "gtest/gtest.h"

namespace ttt {
namespace {

TEST(ProgressTest, LineShowsCountShareTimeAndTimeLeft) {
  EXPECT_EQ(Progress::Line("converting weights", 3, 12, 6.0, "layers.2"),
            "converting weights: 3/12 (25%), 6s, ~18s left - layers.2");
  EXPECT_EQ(Progress::Line("matrix", 0, 4, 0.0, ""), "matrix: 0/4 (0%), 0s");
  EXPECT_EQ(Progress::Line("matrix", 4, 4, 125.0, "phi3 HEAD tg"), "matrix: 4/4 (100%), 2m05s - phi3 HEAD tg");
  EXPECT_EQ(Progress::Line("zoo", 1, 3, 4000.0, ""), "zoo: 1/3 (33%), 1h06m, ~2h13m left");
}

// Under CTest stderr is not a terminal: stepping draws nothing and never fails, whatever the counts.
TEST(ProgressTest, SilentOffATerminal) {
  Progress p("work", 2);
  p.Step("a");
  p.Step("b");
  p.Step("past the total");
  Progress none("nothing", 0);
  none.Step();
}

}  // namespace
}  // namespace ttt
