// ttt bench: prompt-processing and generation speed in the manner of llama-bench, with the machine's
// limits (memory read bandwidth, f32 GEMM peak) measured on the spot and the fraction of each reached.
// `--weights f32,bf16,bfp4` benchmarks several weight storages in one run, so their ratios are comparable;
// `--model a.gguf,b.Q4_K_M.gguf` several files of one model (a GGUF's quantised weights run as stored).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/blocks/model_modules.h"
#include "core/factory/synthetic.h"
#include "core/ops/machine_limits.h"
#include "core/patterns/decoder_layer.h"
#include "core/runtime/cpu_features.h"
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

struct TestResult {
  std::string source;  // the model file (or shape)
  std::string weights;
  int64_t n_prompt = 0, n_gen = 0;
  Stats ts;
  double achieved = 0;  // FLOP/s (prompt) or bytes/s (generation)
  double limit = 0;
  double model_bytes = 0;
};

// One model under test (one weight storage) and the samples of its tests.
struct Candidate {
  std::string source;
  std::string weights;
  std::unique_ptr<CausalLm> model;
  std::unique_ptr<InferenceState> state;
  std::vector<double> pp_samples, tg_samples;
};

// The ggml block formats a model's projections keep from a quantised GGUF file ("q5_0+q8_0+q4_k+q6_k", in the
// order met), or "" when there are none: such a model runs the file's own weights whatever --weights says.
std::string StoredGgmlTypes(const CausalLm& model) {
  std::vector<const Linear*> projections;
  for (int64_t i = 0; i < model.num_layers(); ++i) {
    const DecoderLayer& layer = model.layer(i);
    projections.push_back(&layer.attention().qkv_projection());
    projections.push_back(&layer.attention().output_projection());
    if (layer.mlp() != nullptr) {
      projections.push_back(&layer.mlp()->up_projection());
      projections.push_back(&layer.mlp()->down_projection());
    }
  }
  projections.push_back(&model.lm_head().projection());
  std::vector<std::string> names;
  auto note = [&](DType dtype) {
    const std::string name(DTypeName(dtype));
    if (IsGgmlFormat(dtype) && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const Linear* linear : projections) {
    note(linear->weight_dtype());
    for (const Tensor& part : linear->weight().more_rows) note(part.dtype());
  }
  return absl::StrJoin(names, "+");
}

// One repetition of llama-bench's pp test (prefill the prompt into an empty cache): tokens/s.
absl::StatusOr<double> PromptSample(Candidate& c, const std::vector<int32_t>& prompt, std::vector<float>& logits) {
  c.state->Reset(0);
  const double start = Now();
  TTT_RETURN_IF_ERROR(c.model->Prefill(*c.state, 0, prompt, logits.data(), false));
  return prompt.size() / (Now() - start);
}

// One repetition of the tg test (one token prefilled, then n_gen decoded one at a time): tokens/s.
absl::StatusOr<double> GenerationSample(Candidate& c, int64_t n_gen, std::mt19937& rng,
                                        std::vector<float>& logits) {
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(c.model->vocab_size() - 1));
  const int32_t slot = 0;
  c.state->Reset(0);
  const int32_t first = token(rng);
  TTT_RETURN_IF_ERROR(c.model->Prefill(*c.state, 0, absl::MakeConstSpan(&first, 1), logits.data(), false));
  const double start = Now();
  for (int64_t i = 0; i < n_gen; ++i) {
    const int32_t next = token(rng);
    TTT_RETURN_IF_ERROR(
        c.model->Decode(*c.state, absl::MakeConstSpan(&slot, 1), absl::MakeConstSpan(&next, 1), logits.data()));
  }
  return n_gen / (Now() - start);
}

// Runs the pp and tg tests of llama-bench on every candidate. Repetitions are interleaved (repetition r of
// every candidate before repetition r + 1 of any), so a change in the machine's speed during the run (other
// tenants, memory bandwidth moving by 2x between minutes on shared machines) lands on all candidates alike
// and their ratios stay comparable. Repetition 0 warms up and is not counted.
absl::StatusOr<std::vector<TestResult>> RunTests(std::vector<Candidate>& candidates, int64_t n_prompt,
                                                 int64_t n_gen, int reps) {
  // The candidates are one model in several weight formats: one vocabulary, one prompt.
  const int64_t vocab = candidates.front().model->vocab_size();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> prompt(n_prompt);
  for (auto& t : prompt) t = token(rng);
  std::vector<float> logits(vocab);
  for (Candidate& c : candidates) {
    TTT_ASSIGN_OR_RETURN(c.state, c.model->NewState(1, std::max<int64_t>(n_prompt, 1) + n_gen,
                                                    std::max<int64_t>(n_prompt, 1)));
  }
  for (int r = 0; r <= reps; ++r) {
    for (Candidate& c : candidates) {
      if (n_prompt > 0) {
        TTT_ASSIGN_OR_RETURN(const double tps, PromptSample(c, prompt, logits));
        if (r > 0) c.pp_samples.push_back(tps);
      }
    }
    for (Candidate& c : candidates) {
      if (n_gen > 0) {
        TTT_ASSIGN_OR_RETURN(const double tps, GenerationSample(c, n_gen, rng, logits));
        if (r > 0) c.tg_samples.push_back(tps);
      }
    }
  }
  std::vector<TestResult> results;  // every pp row, then every tg row
  for (const bool pp : {true, false}) {
    if ((pp ? n_prompt : n_gen) == 0) continue;
    for (const Candidate& c : candidates) {
      TestResult t{c.source, c.weights, pp ? n_prompt : 0, pp ? 0 : n_gen, Summarise(pp ? c.pp_samples : c.tg_samples)};
      TTT_ASSIGN_OR_RETURN(const ModelModules modules, c.model->Modules());
      t.model_bytes = static_cast<double>(c.model->DecodeWeightBytes());
      t.achieved = pp ? t.ts.mean * PrefillFlops(modules, n_prompt) / n_prompt : t.ts.mean * t.model_bytes;
      results.push_back(t);
    }
  }
  return results;
}

absl::Status RunBench(const std::vector<std::string>& argv) {
  Args args(argv);
  long long n_prompt = 0, n_gen = 0, reps = 0, threads = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("p", 128, &n_prompt));
  TTT_RETURN_IF_ERROR(args.GetInt("n", 32, &n_gen));
  TTT_RETURN_IF_ERROR(args.GetInt("r", 3, &reps));
  TTT_RETURN_IF_ERROR(args.GetInt("threads", 0, &threads));
  const std::string output = args.Get("o", "md");
  const std::string shape = args.Get("shape");
  const std::vector<std::string> model_paths = absl::StrSplit(args.Get("model"), ',', absl::SkipEmpty());
  const std::string tokenizer = args.Get("tokenizer");
  // --device/--mode/--hw-config/--kv-cache as every command; --weights here is a list to compare. Without
  // it, a run with a device or mode flag measures that config's own weights ("config").
  TTT_ASSIGN_OR_RETURN(const BuildOptions base, BuildOptionsFromArgs(args, /*read_weights=*/false));
  const bool hw_flags = args.Has("device") || args.Has("mode") || args.Has("hw-config");
  std::vector<std::string> weight_names =
      absl::StrSplit(args.Get("weights", hw_flags ? "config" : "f32"), ',', absl::SkipEmpty());
  TTT_RETURN_IF_ERROR(args.CheckAllUsed());
  if (reps < 1 || n_prompt < 0 || n_gen < 0) return absl::InvalidArgumentError("-p, -n must be >= 0 and -r >= 1");
  if (output != "md" && output != "json") return absl::InvalidArgumentError("-o must be md or json");
  if (!shape.empty() && !model_paths.empty()) {
    return absl::InvalidArgumentError("give either --model PATH or --shape NAME, not both");
  }
  SetNumThreads(static_cast<int>(threads));

  std::optional<Validated<spec::ModelSpec>> spec;
  WeightMap synthetic;
  std::vector<std::string> model_names = model_paths;
  if (model_names.empty()) model_names.push_back(DemoModelPath());
  if (!shape.empty()) {
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec named, NamedShape(shape));
    TTT_ASSIGN_OR_RETURN(spec, ValidateModel(std::move(named)));
    synthetic = SyntheticWeights(*spec, 1234);
    model_names = {absl::StrCat(shape, " (random weights)")};
  }
  const int nthreads = NumThreads();
  // The limits are the best the machine does: measured before and after the tests, the larger kept, so a
  // moment of contention (another process on a shared machine) does not lower them.
  double bandwidth = MeasureMemoryReadBandwidth(nthreads);
  double gemm_peak = MeasureGemmPeak(nthreads);

  std::vector<Candidate> candidates;
  for (const std::string& model_name : model_names) {
    for (const std::string& name : weight_names) {
      BuildOptions build = base;
      if (name != "config") {
        TTT_ASSIGN_OR_RETURN(build.linear_weight_dtype, ParseWeightDType(name));
      }
      Candidate c{model_name, name};
      if (!shape.empty()) {
        TTT_ASSIGN_OR_RETURN(c.model, CausalLm::Create(*spec, synthetic, build));
      } else {
        TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModel(model_name, tokenizer, /*require_tokenizer=*/false, build));
        c.model = std::move(loaded.model);
        const std::string stored = StoredGgmlTypes(*c.model);
        if (!stored.empty()) c.weights = absl::StrCat("gguf ", stored);
      }
      if (!candidates.empty() && c.model->vocab_size() != candidates.front().model->vocab_size()) {
        return absl::InvalidArgumentError(absl::StrCat("--model: ", model_name, " has another vocabulary than ",
                                                       candidates.front().source, "; compare files of one model"));
      }
      candidates.push_back(std::move(c));
    }
  }
  TTT_ASSIGN_OR_RETURN(std::vector<TestResult> results,
                       RunTests(candidates, n_prompt, n_gen, static_cast<int>(reps)));
  bandwidth = std::max(bandwidth, MeasureMemoryReadBandwidth(nthreads));
  gemm_peak = std::max(gemm_peak, MeasureGemmPeak(nthreads));
  for (TestResult& t : results) t.limit = t.n_prompt > 0 ? gemm_peak : bandwidth;

  if (output == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const TestResult& t : results) {
      all.push_back({{"model_type", t.source}, {"model_size", t.model_bytes}, {"weight_type", t.weights},
                     {"n_threads", nthreads}, {"cpu_isa", IsaName(BestIsa())}, {"n_prompt", t.n_prompt},
                     {"n_gen", t.n_gen}, {"avg_ts", t.ts.mean}, {"stddev_ts", t.ts.sd}, {"samples_ts", t.ts.samples},
                     {"limit", t.n_prompt > 0 ? "f32 GEMM peak (FLOP/s)" : "memory read bandwidth (bytes/s)"},
                     {"achieved", t.achieved}, {"limit_value", t.limit}, {"fraction_of_limit", t.achieved / t.limit}});
    }
    std::cout << all.dump(2) << "\n";
    return absl::OkStatus();
  }
  std::cout << absl::StrFormat("machine: %d threads, %s kernels, memory read %.1f GB/s, f32 GEMM peak %.1f GFLOP/s\n\n",
                               nthreads, IsaName(BestIsa()), bandwidth / 1e9, gemm_peak / 1e9);
  std::cout << "| model | weights | MB/token | test | t/s | vs first | reached of limit | fraction |\n"
               "|---|---|---|---|---|---|---|---|\n";
  for (const TestResult& t : results) {
    const bool pp = t.n_prompt > 0;
    double first = 0;
    for (const TestResult& f : results) {
      if (f.n_prompt == t.n_prompt && f.n_gen == t.n_gen) {
        first = f.ts.mean;
        break;
      }
    }
    std::cout << absl::StrFormat(
        "| %s | %s | %.1f | %s | %.2f ± %.2f | %.2fx | %s | %.0f%% |\n", t.source, t.weights, t.model_bytes / 1e6,
        pp ? absl::StrCat("pp", t.n_prompt) : absl::StrCat("tg", t.n_gen), t.ts.mean, t.ts.sd, t.ts.mean / first,
        pp ? absl::StrFormat("%.1f of %.1f GFLOP/s", t.achieved / 1e9, t.limit / 1e9)
           : absl::StrFormat("%.1f of %.1f GB/s", t.achieved / 1e9, t.limit / 1e9),
        100 * t.achieved / t.limit);
  }
  return absl::OkStatus();
}

TTT_COMMAND({"bench", "prompt and generation speed (llama-bench style) against the machine's limits",
             "ttt bench [--model PATH[,PATH...] | --shape smollm-135m] [-p 128] [-n 32] [-r 3] [-o md|json]\n"
             "          [--threads N]\n"
             "          [--weights f32,bf16,int8,bfp8,bfp4]   (several: compared in one run)\n"
             "          [--device D] [--mode accuracy|performance] [--hw-config FILE] [--kv-cache f32|bf16|bfp8]\n"
             "  with neither --model nor --shape: the bundled demo model",
             RunBench});

}  // namespace
}  // namespace ttt::cli
