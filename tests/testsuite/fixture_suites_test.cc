// TestSuite over every fixture model: each module of each layer (norms, attention in prefill and decode, MLP,
// the layer), the embedding, final norm, head and the whole model, against the float64 math of its own
// weights, with f32 weights and with a low-bit weight dtype (bfp8); and against the source checkpoint's
// tensors (reference tracking), where every module must pass. One gtest per case.
#include "core/runtime/status.h"
#include "core/testing/gtest_suite.h"
#include "testsuite_util.h"

namespace ttt::testing {
namespace {

absl::StatusOr<std::shared_ptr<TestSuite>> EveryModule(const std::string& fixture, DType dtype) {
  TTT_ASSIGN_OR_RETURN(formats::Checkpoint ckpt, formats::LoadCheckpoint(FixturePath(fixture)));
  TTT_ASSIGN_OR_RETURN(auto model, CausalLm::Create(ckpt.spec, ckpt.weights, BuildOptions{.linear_weight_dtype = dtype}));
  auto suite = std::make_shared<TestSuite>(std::shared_ptr<const CausalLm>(std::move(model)));
  // Whole-model logits must also pick the same token at nearly every position.
  suite->TestEveryModule();
  suite->Test(suite->model()).Tolerance({.top1 = 0.9});
  return suite;
}

absl::StatusOr<std::pair<std::shared_ptr<TestSuite>, std::shared_ptr<const formats::Checkpoint>>> Tracked(
    const std::string& fixture) {
  TTT_ASSIGN_OR_RETURN(formats::Checkpoint ckpt, formats::LoadCheckpoint(FixturePath(fixture)));
  auto source = std::make_shared<const formats::Checkpoint>(std::move(ckpt));
  TTT_ASSIGN_OR_RETURN(auto model, CausalLm::Create(source->spec, source->weights));
  auto suite = std::make_shared<TestSuite>(std::shared_ptr<const CausalLm>(std::move(model)));
  suite->TestEveryModule();
  return std::make_pair(suite, source);
}


const bool kRegistered = [] {
  for (const auto& [name, fixture] : std::vector<std::pair<std::string, std::string>>{
           {"Stories260K", "stories260K/stories260K.bin"},
           {"LlamaGqaTiny", "llama-gqa-tiny/hf"},
           {"Gpt2Tiny", "gpt2-tiny/hf"}}) {
    RegisterSuiteTests(name + "SuiteF32", [fixture] { return EveryModule(fixture, DType::kF32); });
    RegisterSuiteTests(name + "SuiteBfp8", [fixture] { return EveryModule(fixture, DType::kBFP8); });
    RegisterReferenceTests(name + "Tracked", [fixture] { return Tracked(fixture); });
  }
  RegisterReferenceTests("LlamaGqaTinyGgufTracked", [] { return Tracked("llama-gqa-tiny/model-f32.gguf"); });
  return true;
}();

}  // namespace
}  // namespace ttt::testing
