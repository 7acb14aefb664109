// ttt bench: prompt-processing and generation speed in the manner of llama-bench, with the machine's
// limits (memory read bandwidth, f32 GEMM peak) measured on the spot and the fraction of each reached.
// `--weights f32,bf16,bfp4` benchmarks several weight storages in one run, so their ratios are comparable;
// -p, -n and -t take comma lists as llama-bench's do. Output: tools/ttt/bench_report.h.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <ctime>

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
#include "core/formats/checkpoint.h"
#include "core/kernels/kernel_table.h"
#include "core/hwconfig/cpu_probe.h"
#include "core/runtime/dtype.h"
#include "tools/ttt/build_info.h"
#include "tools/ttt/bench_report.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// One model under test (one weight storage).
struct Candidate {
  std::string weights;
  std::unique_ptr<CausalLm> model;
  std::unique_ptr<InferenceState> state;
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

// One repetition of llama-bench's pp test (prefill the prompt into an empty cache): seconds.
absl::StatusOr<double> PromptSample(Candidate& c, const std::vector<int32_t>& prompt, std::vector<float>& logits) {
  c.state->Reset(0);
  const double start = Now();
  TTT_RETURN_IF_ERROR(c.model->Prefill(*c.state, 0, prompt, logits.data(), false));
  return Now() - start;
}

// One repetition of the tg test (one token prefilled, then n_gen decoded one at a time): seconds.
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
  return Now() - start;
}

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%FT%TZ", &tm);
  return text;
}

// Runs one test (pp n_prompt, or tg n_gen) on every candidate. Repetitions are interleaved (repetition r of
// every candidate before repetition r + 1 of any), so a change in the machine's speed during the run (other
// tenants, memory bandwidth moving by 2x between minutes on shared machines) lands on all candidates alike
// and their ratios stay comparable. Repetition 0 warms up and is not counted. Rows: weights, test, samples.
absl::StatusOr<std::vector<BenchRow>> RunTest(std::vector<Candidate>& candidates, int64_t n_prompt, int64_t n_gen,
                                              int reps) {
  // The candidates are one model in several weight formats: one vocabulary, one prompt.
  const int64_t vocab = candidates.front().model->vocab_size();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> prompt(n_prompt);
  for (auto& t : prompt) t = token(rng);
  std::vector<float> logits(vocab);
  std::vector<BenchRow> rows(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    TTT_ASSIGN_OR_RETURN(c.state, c.model->NewState(1, std::max<int64_t>(n_prompt, 1) + n_gen,
                                                    std::max<int64_t>(n_prompt, 1)));
    rows[i].weight_type = c.weights;
    rows[i].n_prompt = n_prompt;
    rows[i].n_gen = n_gen;
    rows[i].n_batch = std::max<int64_t>(n_prompt, 1);
    rows[i].test_time = UtcNow();
  }
  for (int r = 0; r <= reps; ++r) {
    for (size_t i = 0; i < candidates.size(); ++i) {
      TTT_ASSIGN_OR_RETURN(const double seconds, n_prompt > 0 ? PromptSample(candidates[i], prompt, logits)
                                                              : GenerationSample(candidates[i], n_gen, rng, logits));
      if (r > 0) rows[i].samples_ns.push_back(std::llround(seconds * 1e9));
    }
  }
  return rows;
}

// Parses a comma list of whole numbers (-p 128,512), each >= `min`.
absl::StatusOr<std::vector<int64_t>> IntList(const Args& args, const std::string& key, int64_t min) {
  std::vector<int64_t> out;
  for (absl::string_view piece : absl::StrSplit(args.Get(key), ',', absl::SkipWhitespace())) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(piece, &v) || v < min) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", key, ": '", piece, "' is not a whole number >= ", min, " (give a comma list: 1,2,4)"));
    }
    out.push_back(v);
  }
  return out;
}

int64_t CountParameters(const WeightMap& weights) {
  int64_t n = 0;
  for (const auto& [name, tensor] : weights) n += tensor.numel();
  return n;
}

// llama-bench's model_type: "<family> <parameters> <weights>", e.g. "llama 260.1K f32".
std::string ModelType(const spec::ModelSpec& spec, int64_t params, const std::string& weights) {
  const double p = static_cast<double>(params);
  const std::string size = p >= 1e9 ? absl::StrFormat("%.2fB", p / 1e9)
                           : p >= 1e6 ? absl::StrFormat("%.2fM", p / 1e6)
                                      : absl::StrFormat("%.1fK", p / 1e3);
  return absl::StrCat(spec.family().empty() ? "unknown" : spec.family(), " ", size, " ", weights);
}

absl::Status RunBench(const Args& args) {
  long long reps = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("repetitions", &reps));
  TTT_ASSIGN_OR_RETURN(const std::vector<int64_t> n_prompts, IntList(args, "n-prompt", 0));
  TTT_ASSIGN_OR_RETURN(const std::vector<int64_t> n_gens, IntList(args, "n-gen", 0));
  TTT_ASSIGN_OR_RETURN(const std::vector<int64_t> thread_counts, IntList(args, "threads", 0));
  const std::string output = args.Get("output");
  const std::string shape = args.Get("shape");
  const std::string model_path = args.Get("model");
  // --device/--mode/--hw-config/--kv-cache as every command; --weights here is a list to compare. Without
  // it, a run with a device or mode flag measures that config's own weights ("config").
  TTT_ASSIGN_OR_RETURN(const BuildOptions base, BuildOptionsFromArgs(args, /*lists=*/true));
  const bool hw_flags = args.Has("device") || args.Has("mode") || args.Has("hw-config");
  std::vector<std::string> weight_names =
      absl::StrSplit(args.Has("weights") ? args.Get("weights") : hw_flags ? "config" : "f32", ',', absl::SkipEmpty());
  if (reps < 1) return absl::InvalidArgumentError("-r/--repetitions must be >= 1");
  if (!shape.empty() && !model_path.empty()) {
    return absl::InvalidArgumentError("give either --model PATH or --shape NAME, not both");
  }
  TTT_RETURN_IF_ERROR(CheckBenchFormat(output));

  std::optional<Validated<spec::ModelSpec>> spec;
  WeightMap weights;
  std::string model_name = model_path.empty() ? DemoModelPath() : model_path;
  if (!shape.empty()) {
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec named, NamedShape(shape));
    TTT_ASSIGN_OR_RETURN(spec, ValidateModel(std::move(named)));
    weights = SyntheticWeights(*spec, 1234);
    model_name = absl::StrCat(shape, " (random weights)");
  } else {
    TTT_ASSIGN_OR_RETURN(formats::Checkpoint checkpoint, formats::LoadCheckpoint(model_name));
    spec = checkpoint.spec;
    weights = std::move(checkpoint.weights);  // mapped: only counted here; each candidate loads its own
  }
  const int64_t params = CountParameters(weights);

  std::vector<Candidate> candidates;
  for (const std::string& name : weight_names) {
    BuildOptions build = base;
    if (name != "config") {
      TTT_ASSIGN_OR_RETURN(build.linear_weight_dtype, ParseWeightDType(name));
    }
    Candidate c{name};
    if (!shape.empty()) {
      TTT_ASSIGN_OR_RETURN(c.model, CausalLm::Create(*spec, weights, build));
    } else {
      TTT_ASSIGN_OR_RETURN(LoadedModel loaded,
                           LoadModel(model_name, args.Get("tokenizer"), /*require_tokenizer=*/false, build));
      c.model = std::move(loaded.model);
      const std::string stored = StoredGgmlTypes(*c.model);
      if (!stored.empty()) c.weights = absl::StrCat("gguf ", stored);
    }
    candidates.push_back(std::move(c));
  }
  BenchRow common;
  common.build_commit = TTT_BUILD_COMMIT;
  common.build_number = TTT_BUILD_NUMBER;
  common.cpu_info = ProbeCpu(/*measure=*/false).chip().arch();
  common.backends = "CPU,BLAS";
  common.model_filename = model_name;
  common.model_n_params = params;
  common.use_mmap = shape.empty();
  common.device = candidates.front().model->hw_config().device.name();
  common.mode = ConfigModeName(candidates.front().model->hw_config().mode);
  common.cpu_isa = IsaName(BestIsa());
  common.type_k = common.type_v = std::string(DTypeName(candidates.front().model->kv_cache_dtype()));

  std::vector<BenchRow> rows;
  for (const int64_t threads : thread_counts) {
    SetNumThreads(static_cast<int>(threads));
    const int nthreads = NumThreads();
    // The limits are the best the machine does: measured before and after the tests, the larger kept, so a
    // moment of contention (another process on a shared machine) does not lower them.
    double bandwidth = MeasureMemoryReadBandwidth(nthreads), gemm_peak = MeasureGemmPeak(nthreads);
    // Formats whose prompts run a GEMM of their own (KernelTable::gemm, e.g. bf16 on vdpbf16ps): its peak.
    std::map<std::string, double> own_gemm_peak;
    for (const Candidate& c : candidates) {
      const absl::StatusOr<DType> dtype = ParseDType(c.weights);
      if (dtype.ok() && kernels::ActiveKernels().Gemm(*dtype) != nullptr) {
        own_gemm_peak[c.weights] = MeasureGemmPeak(nthreads, *dtype);
      }
    }
    std::vector<BenchRow> these;
    for (const bool pp : {true, false}) {
      for (const int64_t n : pp ? n_prompts : n_gens) {
        if (n == 0) continue;
        TTT_ASSIGN_OR_RETURN(std::vector<BenchRow> test,
                             RunTest(candidates, pp ? n : 0, pp ? 0 : n, static_cast<int>(reps)));
        these.insert(these.end(), test.begin(), test.end());
      }
    }
    bandwidth = std::max(bandwidth, MeasureMemoryReadBandwidth(nthreads));
    gemm_peak = std::max(gemm_peak, MeasureGemmPeak(nthreads));
    for (auto& [weights, peak] : own_gemm_peak) peak = std::max(peak, MeasureGemmPeak(nthreads, *ParseDType(weights)));
    if (output == "md") {
      std::cout << absl::StrFormat("machine: %d threads, %s kernels, memory read %.1f GB/s, f32 GEMM peak %.1f GFLOP/s",
                                   nthreads, common.cpu_isa, bandwidth / 1e9, gemm_peak / 1e9);
      for (const auto& [weights, peak] : own_gemm_peak) {
        std::cout << absl::StrFormat(", %s GEMM peak %.1f GFLOP/s", weights, peak / 1e9);
      }
      std::cout << "\n";
    }
    for (BenchRow& row : these) {
      const Candidate& c = *std::find_if(candidates.begin(), candidates.end(),
                                         [&](const Candidate& k) { return k.weights == row.weight_type; });
      TTT_ASSIGN_OR_RETURN(const ModelModules modules, c.model->Modules());
      const BenchRow test = row;
      row = common;
      row.weight_type = test.weight_type;
      row.n_prompt = test.n_prompt;
      row.n_gen = test.n_gen;
      row.n_batch = test.n_batch;
      row.test_time = test.test_time;
      row.samples_ns = test.samples_ns;
      row.n_threads = nthreads;
      row.model_size = c.model->DecodeWeightBytes();
      row.model_type = ModelType(**spec, params, c.weights);
      const bool pp = row.n_prompt > 0;
      const auto own = own_gemm_peak.find(row.weight_type);
      const bool own_peak = pp && own != own_gemm_peak.end();
      row.limit = !pp ? "memory read bandwidth (bytes/s)"
                      : own_peak ? row.weight_type + " GEMM peak (FLOP/s)" : "f32 GEMM peak (FLOP/s)";
      row.limit_value = !pp ? bandwidth : own_peak ? own->second : gemm_peak;
      row.achieved = pp ? row.avg_ts() * PrefillFlops(modules, row.n_prompt) / row.n_prompt
                        : row.avg_ts() * static_cast<double>(row.model_size);
    }
    rows.insert(rows.end(), these.begin(), these.end());
  }
  if (output == "md") {
    std::cout << "\n";
    // On a Tenstorrent device: what the device itself would take (the cost model, `ttt predict`), for the
    // first prompt length and generation count.
    const int64_t n_prompt = n_prompts.empty() ? 0 : n_prompts.front(), n_gen = n_gens.empty() ? 0 : n_gens.front();
    for (const Candidate& c : candidates) {
      TTT_ASSIGN_OR_RETURN(const std::string predicted, DevicePredictionLine(*c.model, n_prompt, n_gen));
      if (!predicted.empty()) std::cout << c.weights << ": " << predicted << "\n";
    }
  }
  return WriteBenchRows(rows, output, std::cout);
}

TTT_COMMAND({"bench", "prompt and generation speed (llama-bench's tests and fields) against the machine's limits",
             Flags({{{"--shape", "a named shape with random weights instead of --model (smollm-135m, ...)", ""},
                     {"-p,--n-prompt", "prompt lengths of the pp tests (comma list)", "128"},
                     {"-n,--n-gen", "tokens of the tg tests (comma list)", "32"},
                     {"-r,--repetitions", "repetitions of each test (after one warm-up)", "3", FlagKind::kInt},
                     {"-t,--threads", "thread counts (comma list; 0: one per core)", "0"},
                     {"-o,--output", "md, csv, json or jsonl (llama-bench's fields)", "md"}},
                    ModelFlags(), HardwareFlags()}),
             RunBench});

}  // namespace
}  // namespace ttt::cli
