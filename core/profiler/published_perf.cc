#include "core/profiler/published_perf.h"

#include <cmath>
#include <limits>
#include <optional>

#include "core/factory/synthetic.h"
#include "absl/strings/str_cat.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/embedded_files.h"
#include "core/hwconfig/resolve.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt::profiler {

const std::vector<PublishedRow>& PublishedRows() {
  // Fit rows: one small and one mid single-chip model, the 2-chip row and the 8-chip row of the model
  // the other multi-chip rows are built like; the rest (8 rows, every other family, size, mesh and the
  // Blackhole chip) are held out.
  static const std::vector<PublishedRow> rows = {
      {"Llama 3.2 1B", "llama-1b", "n150", "tt-transformers", 32, 23, 80.5, true},
      {"Llama 3.2 3B", "llama-3b", "n150", "tt-transformers", 32, 52, 46.6, false},
      {"Llama 3.1 8B", "llama-8b", "n150", "tt-transformers", 32, 104, 26.0, true},
      {"Mistral 7B", "mistral-7b", "n150", "tt-transformers", 32, 99, 28.7, false},
      {"Falcon 7B", "falcon-7b", "n150", "tt-transformers", 32, 70, 18.5, false},
      {"Qwen 2.5 7B", "qwen2.5-7b", "n300", "tt-transformers", 32, 109, 22.1, false},
      {"Llama 3.1 70B", "llama-70b", "t3k", "tt-transformers", 32, 159, 15.9, true},
      {"Qwen 2.5 72B", "qwen2.5-72b", "t3k", "tt-transformers", 32, 223, 15.4, false},
      {"Qwen 3 32B", "qwen3-32b", "t3k", "tt-transformers", 32, 109, 22.1, false},
      {"Mixtral 8x7B", "mixtral-8x7b", "t3k", "tt-transformers", 32, 122, 24.9, false},
      {"Llama 3.1 70B", "llama-70b", "tg", "galaxy-demo", 32, 53, 72.5, false},
      {"Llama 3.1 8B", "llama-8b", "p150", "tt-transformers", 32, 57, 33.1, false},
  };
  return rows;
}

std::string PublishedHwConfigPath(const std::string& shape) {
  return absl::StrCat("hwconfig/published/", shape, ".textproto");
}

absl::StatusOr<std::vector<RowCheck>> CheckPublishedRows(const StackCosts& tt_transformers) {
  std::vector<RowCheck> out;
  for (const PublishedRow& row : PublishedRows()) {
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec shape, NamedShape(row.shape));
    TTT_ASSIGN_OR_RETURN(const Validated<spec::ModelSpec> spec, ValidateModel(std::move(shape)));
    TTT_ASSIGN_OR_RETURN(const hw::DeviceProfile device, GetDeviceProfile(row.device));
    // A model whose demo sets its own formats and fidelities runs with them (hwconfig/published/SHAPE.textproto,
    // each citing the demo's model config); the others with the module defaults, as TT-Transformers runs them.
    RowCheck check;
    check.row = row;
    std::optional<hw::ModelHwConfig> model_file;
    if (const EmbeddedFile* file = FindEmbeddedHwconfigFile(PublishedHwConfigPath(row.shape))) {
      check.hw_config = std::string(file->path);
      TTT_ASSIGN_OR_RETURN(model_file, ParseModelHwConfig(std::string(file->text), check.hw_config));
    }
    TTT_ASSIGN_OR_RETURN(const ResolvedHwConfig config,
                         ResolveHwConfig(spec, device, hw::PERFORMANCE, model_file ? &*model_file : nullptr,
                                         check.hw_config));
    StackCosts stack = tt_transformers;
    if (row.stack != tt_transformers.name) {
      TTT_ASSIGN_OR_RETURN(stack, CostsForStack(row.stack));
      // Other stacks' prefill is tt-transformers' (core/profiler/cost_params.cc): the one being fitted.
      stack.prefill_op_overhead_s = tt_transformers.prefill_op_overhead_s;
      stack.prefill_utilisation = tt_transformers.prefill_utilisation;
    }
    PredictOptions options{.batch = row.batch, .context = kPublishedPromptTokens,
                           .prompt_tokens = kPublishedPromptTokens};
    TTT_ASSIGN_OR_RETURN(check.prediction, Predict(spec, config, stack, options));
    check.tsu_ratio = check.prediction.tokens_per_s_per_user() / row.tokens_per_s_per_user;
    check.ttft_ratio = check.prediction.ttft_s() * 1e3 / row.ttft_ms;
    out.push_back(std::move(check));
  }
  return out;
}

StackCosts FitStack(const std::vector<RowCheck>& rows, const StackCosts& start) {
  auto error = [&](const StackCosts& s, bool decode) {
    double sum = 0;
    for (const RowCheck& r : rows) {
      if (!r.row.fit || r.row.stack != start.name) continue;
      const Prediction& p = r.prediction;
      const double ratio = decode ? (1.0 / TotalSeconds(p.decode, p.family, s)) / r.row.tokens_per_s_per_user
                                  : TotalSeconds(p.prefill, p.family, s) * 1e3 / r.row.ttft_ms;
      sum += std::log(ratio) * std::log(ratio);
    }
    return sum;
  };
  StackCosts best = start;
  // A grid fine enough for the figures' two significant digits: 0.5 us, 2 us and 0.01.
  double best_error = std::numeric_limits<double>::infinity();
  for (double c = 0; c <= 200e-6; c += 0.5e-6) {
    StackCosts s = best;
    s.decode_op_overhead_s = c;
    if (const double e = error(s, true); e < best_error) best_error = e, best.decode_op_overhead_s = c;
  }
  best_error = std::numeric_limits<double>::infinity();
  const StackCosts decode_fit = best;
  for (double u = 0.05; u <= 1.0 + 1e-9; u += 0.01) {
    for (double c = 0; c <= 300e-6; c += 2e-6) {
      StackCosts s = decode_fit;
      s.prefill_utilisation = u;
      s.prefill_op_overhead_s = c;
      if (const double e = error(s, false); e < best_error) best_error = e, best = s;
    }
  }
  return best;
}

}  // namespace ttt::profiler
