// `ttt-gov promote ID --to TIER`: moves a module between tiers (promotion to a stronger tier, demotion to a
// weaker one) after checking the target tier's prerequisites from governance/policy.textproto.
//
// Promotion into tier T checks: T's min_owners; tests (T requires tests: labels naming suites the module's
// tests define); docs (T requires docs: the page exists); a perf baseline (T requires one: a file
// perf_baseline.* in the module's directory); line coverage >= T's min_test_coverage (measured: gcovr over the
// module's labelled tests in a coverage build, core/governance/coverage.h); min_days_in_tier days in its current
// tier (since its last promotion record, else since the release date of its since_version); every dependency
// (manifest and #include) of an equal or stronger tier than T. Demotion to T checks that no module or file of a
// tier stronger than T depends on it. `--undo` reverses the last recorded move without any criterion.
// Applying is a transaction: the files move (core/<rest> <-> contrib/<rest> <-> experimental/<rest>), the
// references the build follows are rewritten (#include and import lines, CMakeLists.txt), the manifest is
// updated (tier, paths), the record is appended (or, for an undo, the last one dropped) and the module index
// regenerated; then the tree is verified (`ttt-gov check` finds no new problem; with a build directory, it
// configures and the touched translation units compile: build_verify.h). Any failure rolls every change back.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/governance/proto/manifest.pb.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

inline constexpr char kPromotionsPath[] = "governance/promotions.textproto";

struct PromoteOptions {
  std::string root;
  std::string id;
  Tier to = TIER_UNSPECIFIED;
  std::string to_dir;        // default: the module's path with its tier directory replaced
  std::string coverage_build;  // a --coverage build directory the module's line coverage is measured in
  double coverage = -1;        // the measured fraction (set from coverage_build, or by a test); < 0 = not measured
  std::string reason;          // recorded in promotions.textproto
  std::string today;           // YYYY-MM-DD; default today (UTC)
  std::string build_dir;       // the build the moved tree is verified in; empty = `ttt-gov check` only
  int jobs = 2;
};

struct PromotePlan {
  PromotionRecord record;                                 // what will be appended
  bool promotion = true;                                  // false: demotion (or a same-rank move)
  bool undo = false;                                      // reverses the last record (dropped, not appended)
  std::vector<std::pair<std::string, std::string>> moves; // file moves, relative to the root
  std::vector<std::string> rewrites;                      // files whose #include/CMake paths change
  std::vector<std::string> failures;                      // unmet criteria: each "criterion: what, what to do"
  std::vector<std::string> passed;                        // criteria met, for the plan's printout
};

// Checks every criterion and lists what would change; NotFound/InvalidArgument for an unknown id or tier.
absl::StatusOr<PromotePlan> PlanPromotion(const PromoteOptions& options);

// The reverse of the last move in governance/promotions.textproto (options: root, today, build_dir; id and to are
// taken from the record). No criterion applies: undoing is always allowed. FailedPrecondition when there is no
// record or the module is no longer where the record left it.
absl::StatusOr<PromotePlan> PlanUndo(const PromoteOptions& options);

// The plan as text (criteria met and failed, moves, rewrites, the record).
std::string FormatPlan(const PromotePlan& plan);

// Carries out a plan without failures as one transaction (see above). On success returns what was verified;
// on failure every file is as it was before, and the error says what failed and that nothing changed.
absl::StatusOr<std::string> ApplyPromotion(const PromoteOptions& options, const PromotePlan& plan);

}  // namespace ttt::gov
