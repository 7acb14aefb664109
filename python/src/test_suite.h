// `ttt.Model.test_suite`: the library's TestSuite over every module of the loaded model, its Report as the
// JSON `ttt` and the zoo tests write (the Python side turns it into dicts).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "python/src/model.h"

namespace ttt::python {

struct SuiteRequest {
  // "own-weights": each module against the float64 math of its own (converted) weights; "checkpoint": against
  // the module it mirrors in the source checkpoint, fed a float64 forward pass's activations.
  std::string reference = "own-weights";
  int64_t tokens = 12;
  uint64_t seed = 1234;
  double pcc = 0;  // minimum PCC of every case; 0: the suite's defaults
};

// Call without the GIL.
absl::StatusOr<std::string> RunTestSuiteJson(ModelHandle& model, const SuiteRequest& request);

}  // namespace ttt::python
