// TestSuite: judge any module of a built model — attention (prefill, and decode against a KV cache filled by
// a seeded prefix), MLP, norm, token embedding, LM head, decoder layer, the whole CausalLm — against an
// independent float64 implementation of its spec.
//
//   TestSuite suite(model);
//   suite.Test(model.layer(3).attention()).Tolerance({.pcc = 0.99}).Expect({.latency_ms = 5, .memory_mb = 10});
//   Report report = suite.Run();                         // reference: the module's own (dequantised) weights
//   Report tracked = *suite.CompareWithReference(ckpt);  // reference: the source checkpoint's tensors, with
//                                                        // inputs captured from a real forward pass
//
// Inputs are derived from each module's spec and seeded. Every run appends coverage records when
// $TTT_COVERAGE_DIR (or SuiteOptions::coverage_dir) is set (coverage.h).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/formats/checkpoint.h"
#include "core/patterns/causal_lm.h"
#include "core/testing/report.h"
#include "google/protobuf/message.h"

namespace ttt::testing {

enum class RunMode { kPrefill, kDecode };

struct SuiteOptions {
  uint64_t seed = 1234;
  int64_t tokens = 12;      // prefill length; decode runs tokens-1 prefix positions then one step
  int timed_runs = 3;       // latency is the fastest of these
  std::string device = "cpu";
  std::string coverage_dir;  // overrides $TTT_COVERAGE_DIR when set
};

class TestSuite;
struct ModuleLocation;
struct ReferenceSource;

// One module under test; returned by TestSuite::Test for fluent configuration.
class CaseBuilder {
 public:
  CaseBuilder& Tolerance(const Tolerances& t) { tolerance_ = t; return *this; }
  CaseBuilder& Expect(const Expectations& e) { expect_ = e; return *this; }
  CaseBuilder& Mode(RunMode m) { mode_ = m; return *this; }
  CaseBuilder& Tokens(int64_t n) { tokens_ = n; return *this; }
  // The module this one mirrors in the source checkpoint ("model.layers.15.self_attn"); derived from the
  // checkpoint's naming when not given.
  CaseBuilder& Mirrors(std::string source_path) { source_path_ = std::move(source_path); return *this; }

 private:
  friend class TestSuite;
struct ModuleLocation;
struct ReferenceSource;
  const void* module_ = nullptr;
  std::string kind_;
  Tolerances tolerance_;
  Expectations expect_;
  RunMode mode_ = RunMode::kPrefill;
  int64_t tokens_ = 0;
  std::string source_path_;
};

class TestSuite {
 public:
  explicit TestSuite(const CausalLm& model, SuiteOptions options = {});
  // Keeps the model alive with the suite (for suites built once and run later, as gtest registration does).
  explicit TestSuite(std::shared_ptr<const CausalLm> model, SuiteOptions options = {});

  CaseBuilder& Test(const TokenEmbedding& m);
  CaseBuilder& Test(const Norm& m);
  CaseBuilder& Test(const Attention& m);
  CaseBuilder& Test(const Mlp& m);
  CaseBuilder& Test(const LmHead& m);
  // A module a layer spec names by kind, judged by its descriptor's float64 reference.
  CaseBuilder& Test(const LayerBlock& m);
  CaseBuilder& Test(const DecoderLayer& m);
  CaseBuilder& Test(const CausalLm& m);
  // Every module: the embedding; per layer both norms, attention and the layer (prefill and decode), the
  // MLP, the layer's modules named by kind; the final norm, the head; the model (prefill and decode). `tolerance` applies to each.
  TestSuite& TestEveryModule(const Tolerances& tolerance = {});

  // Case names ("layers.3.attn/decode") in order, known before running (for test registration).
  std::vector<std::string> CaseNames() const;

  // Each module against the float64 math of its own weights, on seeded inputs.
  Report Run() const;
  // Each module against the float64 math of the module it mirrors in `source` (weights as loaded), fed the
  // activations of a float64 forward pass of `source` over `prompt` (seeded tokens when empty). A module
  // built wrongly (a bad conversion, a corrupted tensor) fails alone.
  absl::StatusOr<Report> CompareWithReference(const formats::Checkpoint& source,
                                              std::vector<int32_t> prompt = {}) const;

  const CausalLm& model() const { return model_; }

 private:
  CaseBuilder& Add(const void* module, const char* kind);
  absl::StatusOr<struct ModuleLocation> Locate(const CaseBuilder& c) const;
  Report RunCases(const struct ReferenceSource& source) const;
  absl::Status Evaluate(const CaseBuilder& c, const ModuleLocation& loc, const ReferenceSource& src, uint64_t seed,
                        CaseResult& r, const google::protobuf::Message*& spec) const;

  std::shared_ptr<const CausalLm> owned_;
  const CausalLm& model_;
  SuiteOptions options_;
  std::deque<CaseBuilder> cases_;  // deque: references returned by Test stay valid
};

// Canonical module path ("layers.1.mlp") -> the module's path in a checkpoint of `format` ("hf", "gguf",
// "llama2c") and `family`, e.g. "model.layers.1.mlp" or "h.1.mlp"; "" when unknown.
std::string SourceModulePath(const std::string& format, const std::string& family, const std::string& module_path);

}  // namespace ttt::testing
