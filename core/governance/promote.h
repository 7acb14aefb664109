// `ttt-gov promote ID --to TIER`: moves a module between tiers (promotion to a stronger tier, demotion to a
// weaker one) after checking the target tier's prerequisites from governance/policy.textproto.
//
// Promotion into tier T checks: T's min_owners; tests (T requires tests: labels naming suites the module's
// tests define); docs (T requires docs: the page exists); a perf baseline (T requires one: a file
// perf_baseline.* in the module's directory); line coverage >= T's min_test_coverage (measured by the caller,
// passed as --coverage); min_days_in_tier days in its current tier (since its last promotion record, else since
// the release date of its since_version); every dependency (manifest and #include) of an equal or stronger tier
// than T. Demotion to T checks that no module or file of a tier stronger than T depends on it.
// Applying: moves the files (core/<rest> <-> contrib/<rest> <-> experimental/<rest>), rewrites #include paths
// and CMake lists in the tree, updates the manifest (tier, paths), appends governance/promotions.textproto and
// regenerates the module index.
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
  double coverage = -1;      // measured line coverage fraction; < 0 = not measured
  std::string reason;        // recorded in promotions.textproto
  std::string today;         // YYYY-MM-DD; default today (UTC)
};

struct PromotePlan {
  PromotionRecord record;                                 // what will be appended
  bool promotion = true;                                  // false: demotion (or a same-rank move)
  std::vector<std::pair<std::string, std::string>> moves; // file moves, relative to the root
  std::vector<std::string> rewrites;                      // files whose #include/CMake paths change
  std::vector<std::string> failures;                      // unmet criteria: each "criterion: what, what to do"
  std::vector<std::string> passed;                        // criteria met, for the plan's printout
};

// Checks every criterion and lists what would change; NotFound/InvalidArgument for an unknown id or tier.
absl::StatusOr<PromotePlan> PlanPromotion(const PromoteOptions& options);

// The plan as text (criteria met and failed, moves, rewrites, the record).
std::string FormatPlan(const PromotePlan& plan);

// Carries out a plan without failures; afterwards `ttt-gov check` problems of the new tree are returned as an
// error (the files are moved either way: fix them or move back with the opposite command).
absl::Status ApplyPromotion(const PromoteOptions& options, const PromotePlan& plan);

}  // namespace ttt::gov
