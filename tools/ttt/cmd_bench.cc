// ttt bench: prompt-processing and generation speed in the manner of llama-bench, with the machine's
// limits (memory read bandwidth, f32 GEMM peak) measured on the spot and the fraction of each reached.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/factory/synthetic.h"
#include "core/runtime/cpu_features.h"
#include "core/ops/machine_limits.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"
#include "core/specs/validate.h"
#include "nlohmann/json.hpp"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Stats {
  double mean = 0, sd = 0;
  std::vector<double> samples;
};
Stats Summarise(std::vector<double> samples) {
  Stats s;
  s.samples = samples;
  for (double v : samples) s.mean += v;
  s.mean /= samples.size();
  for (double v : samples) s.sd += (v - s.mean) * (v - s.mean);
  s.sd = samples.size() > 1 ? std::sqrt(s.sd / (samples.size() - 1)) : 0;
  return s;
}

absl::Status RunBench(const std::vector<std::string>& argv) {
  Args args(argv);
  long long n_prompt = 0, n_gen = 0, reps = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("p", 128, &n_prompt));
  TTT_RETURN_IF_ERROR(args.GetInt("n", 32, &n_gen));
  TTT_RETURN_IF_ERROR(args.GetInt("r", 3, &reps));
  const std::string output = args.Get("o", "md");
  const std::string shape = args.Get("shape");
  if (reps < 1 || n_prompt < 0 || n_gen < 0) return absl::InvalidArgumentError("-p, -n must be >= 0 and -r >= 1");
  if (output != "md" && output != "json") return absl::InvalidArgumentError("-o must be md or json");
  std::unique_ptr<CausalLm> model;
  std::string model_name;
  if (!shape.empty()) {
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec spec, NamedShape(shape));
    TTT_ASSIGN_OR_RETURN(spec, ValidateModel(spec));
    TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
    TTT_ASSIGN_OR_RETURN(model, CausalLm::Create(spec, SyntheticWeights(spec, 1234), build));
    model_name = absl::StrCat(shape, " (random weights)");
  } else {
    TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/false));
    model = std::move(loaded.model);
    model_name = loaded.source;
  }
  TTT_RETURN_IF_ERROR(args.CheckAllUsed());
  const int nthreads = NumThreads();
  const double bandwidth = MeasureMemoryReadBandwidth(nthreads);
  const double gemm_peak = MeasureGemmPeak(nthreads);

  const int64_t context = std::max<int64_t>(n_prompt, 1) + n_gen;
  TTT_ASSIGN_OR_RETURN(auto state, model->NewState(1, context, std::max<int64_t>(n_prompt, 1)));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(model->vocab_size() - 1));
  std::vector<float> logits(std::max<int64_t>(n_prompt, 1) * model->vocab_size());

  struct Test {
    int64_t n_prompt, n_gen;
    Stats ts;
    double fraction;
    const char* limit;
  };
  std::vector<Test> tests;
  if (n_prompt > 0) {
    std::vector<int32_t> prompt(n_prompt);
    for (auto& t : prompt) t = token(rng);
    std::vector<double> samples;
    for (int r = 0; r <= reps; ++r) {  // the first run warms up and is not counted
      state->Reset(0);
      double start = Now();
      TTT_RETURN_IF_ERROR(model->Prefill(*state, 0, prompt, logits.data(), false));
      if (r > 0) samples.push_back(n_prompt / (Now() - start));
    }
    Stats s = Summarise(samples);
    const double flops_per_token = model->PrefillFlops(n_prompt) / n_prompt;
    tests.push_back({n_prompt, 0, s, s.mean * flops_per_token / gemm_peak, "GEMM peak"});
  }
  if (n_gen > 0) {
    std::vector<double> samples;
    const int32_t slot = 0;
    for (int r = 0; r <= reps; ++r) {
      state->Reset(0);
      int32_t first = token(rng);
      TTT_RETURN_IF_ERROR(model->Prefill(*state, 0, absl::MakeConstSpan(&first, 1), logits.data(), false));
      double start = Now();
      for (int64_t i = 0; i < n_gen; ++i) {
        int32_t next = token(rng);
        TTT_RETURN_IF_ERROR(model->Decode(*state, absl::MakeConstSpan(&slot, 1), absl::MakeConstSpan(&next, 1),
                                          logits.data()));
      }
      if (r > 0) samples.push_back(n_gen / (Now() - start));
    }
    Stats s = Summarise(samples);
    tests.push_back({0, n_gen, s, s.mean * model->DecodeWeightBytes() / bandwidth, "memory bandwidth"});
  }

  if (output == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const Test& t : tests) {
      all.push_back({{"model_type", model_name},
                     {"model_size", model->DecodeWeightBytes()},
                     {"weight_type", std::string(DTypeName(model->lm_head().projection().weight_dtype()))},
                     {"n_threads", nthreads},
                     {"cpu_isa", IsaName(BestIsa())},
                     {"n_prompt", t.n_prompt},
                     {"n_gen", t.n_gen},
                     {"avg_ts", t.ts.mean},
                     {"stddev_ts", t.ts.sd},
                     {"samples_ts", t.ts.samples},
                     {"limit", t.limit},
                     {"fraction_of_limit", t.fraction},
                     {"memory_read_bandwidth_gbs", bandwidth / 1e9},
                     {"gemm_peak_gflops", gemm_peak / 1e9}});
    }
    std::cout << all.dump(2) << "\n";
    return absl::OkStatus();
  }
  std::cout << absl::StrFormat("machine: %d threads, %s kernels, memory read %.1f GB/s, f32 GEMM peak %.1f GFLOP/s\n"
                               "weights: %s, %.1f MB read per generated token\n\n",
                               nthreads, IsaName(BestIsa()), bandwidth / 1e9, gemm_peak / 1e9,
                               DTypeName(model->lm_head().projection().weight_dtype()),
                               model->DecodeWeightBytes() / 1e6);
  std::cout << "| model | threads | test | t/s | limit | fraction of limit |\n|---|---|---|---|---|---|\n";
  for (const Test& t : tests) {
    std::string name = t.n_prompt > 0 ? absl::StrCat("pp", t.n_prompt) : absl::StrCat("tg", t.n_gen);
    std::string limit = t.n_prompt > 0
        ? absl::StrFormat("%.1f GFLOP/s of %.1f", t.fraction * gemm_peak / 1e9, gemm_peak / 1e9)
        : absl::StrFormat("%.1f GB/s of %.1f", t.fraction * bandwidth / 1e9, bandwidth / 1e9);
    std::cout << absl::StrFormat("| %s | %d | %s | %.2f ± %.2f | %s | %.0f%% |\n", model_name, nthreads, name,
                                 t.ts.mean, t.ts.sd, limit, 100 * t.fraction);
  }
  return absl::OkStatus();
}

TTT_COMMAND({"bench", "prompt and generation speed (llama-bench style) against the machine's limits",
             "ttt bench (--model PATH | --shape smollm-135m) [-p 128] [-n 32] [-r 3] [-o md|json] [--threads N] [--weights f32|bf16|int8|bfp8|bfp4]",
             RunBench});

}  // namespace
}  // namespace ttt::cli
