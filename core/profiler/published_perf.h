// tt-metal's published LLM throughput (models/README.md "LLMs", Nov 3 2025; /work/shared/notes/
// tt-published-perf.md) as rows the cost model is checked against, the fit of the software stack's
// constants on at most half of them, and the comparison of every row.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/profiler/cost_model.h"

namespace ttt::profiler {

struct PublishedRow {
  std::string model;   // as the table names it
  std::string shape;   // the ttt shape (core/factory/synthetic.h) with its config.json's sizes
  std::string device;  // n150, n300, t3k, tg, p150
  std::string stack;   // the code that measured it: tt-transformers, or the Galaxy demo (galaxy-demo)
  int64_t batch = 32;
  double ttft_ms = 0;       // one user's 128-token prefill to its first token
  double tokens_per_s_per_user = 0;
  bool fit = false;         // used to fit the stack's constants; the others are held out
};
const std::vector<PublishedRow>& PublishedRows();

// The table's setting: 128 prompt tokens, the token after them decoded at batch 32 (notes).
constexpr int64_t kPublishedPromptTokens = 128;

// Where a row's own hardware config lives when its demo does not run the module defaults (Falcon 7B's demo,
// Qwen 2.5 7B's performance settings): "hwconfig/published/SHAPE.textproto".
std::string PublishedHwConfigPath(const std::string& shape);

struct RowCheck {
  PublishedRow row;
  std::string hw_config;  // the published config it ran with, or empty: the module defaults
  Prediction prediction;
  double tsu_ratio = 0, ttft_ratio = 0;  // predicted / published
};

// Every row predicted in performance mode with `stack` for the tt-transformers rows (its own constants
// for the others).
absl::StatusOr<std::vector<RowCheck>> CheckPublishedRows(const StackCosts& tt_transformers);

// The tt-transformers constants that minimise the squared log error of the fit rows: the decode overhead per
// op from the tokens/s/user, the prefill overhead per op and utilisation from the times to first token.
StackCosts FitStack(const std::vector<RowCheck>& rows, const StackCosts& start);

}  // namespace ttt::profiler
