#include "python/src/test_suite.h"

#include <mutex>

#include "core/formats/checkpoint.h"
#include "core/runtime/status.h"
#include "core/testing/test_suite.h"

namespace ttt::python {

absl::StatusOr<std::string> RunTestSuiteJson(ModelHandle& model, const SuiteRequest& request) {
  if (request.reference != "own-weights" && request.reference != "checkpoint") {
    return absl::InvalidArgumentError(
        absl::StrCat("reference '", request.reference, "': use \"own-weights\" or \"checkpoint\""));
  }
  if (request.tokens < 1) return absl::InvalidArgumentError("tokens must be >= 1");
  if (request.pcc < 0 || request.pcc > 1) return absl::InvalidArgumentError("pcc must be within 0..1");
  std::lock_guard<std::mutex> lock(model.compute_mutex());
  testing::SuiteOptions options;
  options.seed = request.seed;
  options.tokens = request.tokens;
  options.device = model.device();
  testing::TestSuite suite(model.model(), options);
  suite.TestEveryModule({.pcc = request.pcc});
  if (request.reference == "own-weights") return suite.Run().Json();
  auto source = formats::LoadCheckpoint(model.path());
  if (!source.ok()) return Annotate(source.status(), "the source checkpoint of reference=\"checkpoint\"");
  TTT_ASSIGN_OR_RETURN(testing::Report report, suite.CompareWithReference(*source));
  return report.Json();
}

}  // namespace ttt::python
