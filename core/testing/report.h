// What a TestSuite run found: one CaseResult per (module, mode), with metrics, tolerances, the measured
// latency and memory against the expectations, and readable failure text; as text or a JSON report.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/testing/metrics.h"

namespace ttt::testing {

// Accuracy bounds. 0 means "the suite's default" for pcc and "not checked" for the others.
struct Tolerances {
  double pcc = 0;       // minimum PCC (default 0.99 for low-bit modules, 0.999 for f32 ones)
  double max_abs = 0;   // maximum absolute error
  double mean_abs = 0;  // maximum mean absolute error
  double top1 = 0;      // logits: minimum top-1 agreement
};

// Performance expectations, reported against measurements; 0 means none.
struct Expectations {
  double latency_ms = 0;
  double memory_mb = 0;  // module weights plus activations (and KV cache for attention)
};

struct CaseResult {
  std::string name;         // "layers.1.mlp/prefill": unique within a report
  std::string module_path;  // canonical module path ("layers.1.mlp")
  std::string source_path;  // the module it mirrors in the source checkpoint ("model.layers.1.mlp"), or ""
  std::string kind;         // attention, mlp, norm, token_embedding, lm_head, decoder_layer, causal_lm
  std::string mode;         // prefill or decode
  std::string dtype;        // storage of the module's weights
  std::string device = "cpu";
  std::string reference;    // "own-weights" or "source-checkpoint"
  bool composite = false;   // contains other modules (decoder layer, whole model)
  int64_t tokens = 0;
  Metrics metrics;
  Tolerances tolerance;  // as applied (defaults filled)
  Expectations expect;
  double latency_ms = 0;
  double memory_mb = 0;
  std::vector<std::string> failures;      // accuracy bounds not met, or an error
  std::vector<std::string> expectations_missed;
  bool passed() const { return failures.empty() && expectations_missed.empty(); }
  // One paragraph: module, source path, what failed with value vs bound, worst position.
  std::string FailureText() const;
};

struct Report {
  std::string model;
  std::string reference;  // own-weights or source-checkpoint
  std::vector<CaseResult> cases;

  bool passed() const;
  const CaseResult* Find(const std::string& name) const;
  // The failing modules that contain no failing tested module: where the problem is (a bad MLP fails its
  // decoder layer and the model too, but only the MLP is a culprit).
  std::vector<std::string> Culprits() const;
  std::string Text() const;
  std::string Json() const;
  // Written to a temporary file next to `path`, then renamed, so readers never see a partial report.
  absl::Status WriteJson(const std::string& path) const;
};

// Fills the default tolerances of `r` (pcc 0.999 for f32 weights, 0.99 otherwise) and records every bound and
// expectation its metrics, latency and memory miss.
void JudgeAgainstTolerances(CaseResult& r);

// Writes `contents` to `path` atomically (temp file in the same directory, then rename).
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace ttt::testing
