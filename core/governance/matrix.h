// The compatibility matrix (`ttt-gov matrix`): every zoo model x library version (each recorded release plus
// HEAD) x device, configured, built and tested against an install of that version; judged against the checked-in
// expected failures (governance/matrix.baseline); written to governance/compat/matrix.json (the source of truth)
// and rendered to COMPATIBILITY.md.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/governance/problem.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

inline constexpr char kMatrixJsonPath[] = "governance/compat/matrix.json";
inline constexpr char kCompatibilityPath[] = "COMPATIBILITY.md";
inline constexpr char kMatrixBaselinePath[] = "governance/matrix.baseline";
inline constexpr char kHead[] = "HEAD";

struct MatrixOptions {
  std::string root;
  std::string build_dir;              // the library's build tree (HEAD is installed from it)
  std::vector<std::string> versions;  // empty = every release and HEAD
  std::vector<std::string> models;    // empty = every zoo model
  std::vector<std::string> devices;   // empty = every hwconfig/devices profile
  int jobs = 2;
};

// "model version device" -> the reason it is expected to fail. Lines: `model version device: reason`; '#' comments.
absl::StatusOr<std::map<std::string, std::string>> LoadMatrixBaseline(const std::string& root);
std::string CellKey(const std::string& model, const std::string& version, const std::string& device);
// The baseline's reason for a cell: its own line, else a `MODEL VERSION *` line (every device: a model that does
// not build against a version fails on all devices for one reason, so one line says it). Null when not listed.
const std::string* BaselineReason(const std::map<std::string, std::string>& baseline, const std::string& model,
                                  const std::string& version, const std::string& device);

// The status of a cell from its raw result ("pass", "fail", "build-fail", "skip", "perf-regression") and the
// baseline: a failure listed there is "known-fail"; a pass listed there is "unexpected-pass".
std::string JudgeCell(const std::string& raw, bool in_baseline);
// Reads the `TTT_METRIC key=value ...` lines a model's tests print (keys: pcc, top1, logit_error or
// max_logit_error, tokens_per_s; others ignored) into the cell, keeping the worst value of each over all lines.
void ParseMetrics(const std::string& output, MatrixCell* cell);
// Judges a passing cell's metrics against the device target: pcc/top1 below the minimum, or a logit error above
// the maximum, or a minimum set but the metric not reported, make it "fail"; decode speed below
// min_tokens_per_s makes it "perf-regression". Targets of 0 are not judged; a null target judges nothing.
void JudgeMetrics(const DeviceTarget* target, MatrixCell* cell);
// True for statuses that fail the run: fail, build-fail, unexpected-pass, perf-regression.
bool IsFailingStatus(const std::string& status);

// What would be run: versions (releases oldest first, then HEAD), models and devices after the filters.
struct MatrixAxes {
  std::vector<std::string> versions, models, devices;
};
absl::StatusOr<MatrixAxes> DiscoverAxes(const MatrixOptions& options);

// Runs the selected cells (cached builds under build_dir/matrix, release installs under build_dir/releases) and
// merges them into the previous matrix.json's cells (cells not selected are kept: the matrix is incremental).
// `log` receives one line per cell.
absl::StatusOr<Matrix> RunMatrix(const MatrixOptions& options, std::string* log);

// A release's package as the matrix builds a zoo model against it: `shim_dir`/tttConfig.cmake loads the
// release installed at `prefix`, then this tree's cmake/TttZoo.cmake, whose ttt_zoo_find_pinned honours
// TTT_ZOO_PIN_OVERRIDE (a release's own copy may predate the override, and would refuse every model pinned to
// another version at configure, before its code is compiled). Configure with -Dttt_DIR=`shim_dir`.
absl::Status WriteReleaseShim(const std::string& root, const std::string& prefix, const std::string& shim_dir);

std::string RenderCompatibility(const Matrix& matrix);
absl::Status WriteMatrix(const std::string& root, const Matrix& matrix);
absl::StatusOr<Matrix> LoadMatrix(const std::string& root);

// `ttt-gov matrix --check` (CI): matrix.json parses and covers exactly the discovered models, versions and
// devices; COMPATIBILITY.md is what it renders to; no cell has a failing status; and, for each model with a
// build tree under `zoo_build_dir` (the zoo tests of this CI run), its HEAD cpu cell agrees with re-running
// its tests there.
Problems CheckMatrix(const std::string& root, const std::string& zoo_build_dir);

}  // namespace ttt::gov
