// TestSuite for the zoo's stories260K: every module (embedding, each layer's norms, attention in prefill and decode,
// MLP and the layer, final norm, head, whole model) judged against the float64 math of the source
// checkpoint it was loaded from (reference tracking: a bad module fails alone, named by its checkpoint
// path), and with bfp8 weights against the float64 math of its own weights. One gtest per case.
#include "core/formats/checkpoint.h"
#include "core/runtime/status.h"
#include "core/testing/gtest_suite.h"

namespace {

using ttt::testing::TestSuite;

const char* const kCheckpoint = STORIES260K_DATA "/stories260K.bin";

absl::StatusOr<std::shared_ptr<TestSuite>> Suite(const ttt::formats::Checkpoint& ckpt, ttt::DType dtype) {
  TTT_ASSIGN_OR_RETURN(auto model,
                       ttt::CausalLm::Create(ckpt.spec, ckpt.weights, ttt::BuildOptions{.linear_weight_dtype = dtype}));
  auto suite = std::make_shared<TestSuite>(std::shared_ptr<const ttt::CausalLm>(std::move(model)));
  suite->TestEveryModule();
  return suite;
}

const bool kRegistered = [] {
  ttt::testing::RegisterReferenceTests(
      "Stories260KSuiteTracked",
      []() -> absl::StatusOr<std::pair<std::shared_ptr<TestSuite>, std::shared_ptr<const ttt::formats::Checkpoint>>> {
        TTT_ASSIGN_OR_RETURN(ttt::formats::Checkpoint ckpt, ttt::formats::LoadCheckpoint(kCheckpoint));
        auto source = std::make_shared<const ttt::formats::Checkpoint>(std::move(ckpt));
        TTT_ASSIGN_OR_RETURN(auto suite, Suite(*source, ttt::DType::kF32));
        return std::make_pair(suite, source);
      });
  ttt::testing::RegisterSuiteTests("Stories260KSuiteBfp8", []() -> absl::StatusOr<std::shared_ptr<TestSuite>> {
    TTT_ASSIGN_OR_RETURN(ttt::formats::Checkpoint ckpt, ttt::formats::LoadCheckpoint(kCheckpoint));
    return Suite(ckpt, ttt::DType::kBFP8);
  });
  return true;
}();

}  // namespace
