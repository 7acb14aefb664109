// ttt profile: where prefill and decode time goes, per layer, module and op, against the machine's
// roofline, with config suggestions computed from the measurements and an optional Chrome trace.
#include <algorithm>
#include <iostream>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/factory/synthetic.h"
#include "core/kernels/kernel_table.h"
#include "core/ops/machine_limits.h"
#include "core/blocks/model_modules.h"
#include "core/profiler/chrome_trace.h"
#include "core/profiler/device_roofline.h"
#include "core/profiler/record.h"
#include "core/profiler/report.h"
#include "core/profiler/suggestions.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"
#include "core/specs/validate.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

absl::Status RunProfile(const Args& args) {
  long long n_tokens = 0, n_prompt = 0, chunk = 0;
  double min_share = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("tokens", &n_tokens));
  TTT_RETURN_IF_ERROR(args.GetInt("prompt-tokens", &n_prompt));
  TTT_RETURN_IF_ERROR(args.GetInt("prefill-chunk", &chunk));
  TTT_RETURN_IF_ERROR(args.GetDouble("min-share", &min_share));
  const std::string shape = args.Get("shape");
  const std::string prompt_text = args.Get("prompt");
  const std::string trace_path = args.Get("trace");
  const std::string device_name = args.Has("device") ? args.Get("device") : "";
  const std::string fidelity = args.Get("fidelity");
  const bool per_layer = !args.Has("no-layers");
  if (!shape.empty() && args.Has("model")) return absl::InvalidArgumentError("give --model PATH or --shape NAME, not both");
  if (n_prompt < 1) return absl::InvalidArgumentError("--prompt-tokens must be >= 1");

  std::unique_ptr<CausalLm> model;
  std::unique_ptr<tokenizers::Tokenizer> tokenizer;
  std::string source;
  if (!shape.empty()) {
    TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec named, NamedShape(shape));
    TTT_ASSIGN_OR_RETURN(const Validated<spec::ModelSpec> spec, ValidateModel(std::move(named)));
    TTT_ASSIGN_OR_RETURN(model, CausalLm::Create(spec, SyntheticWeights(spec, 1234), build));
    source = absl::StrCat(shape, " (random weights)");
  } else {
    TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/!prompt_text.empty()));
    model = std::move(loaded.model);
    tokenizer = std::move(loaded.tokenizer);
    source = loaded.source;
  }
  std::optional<profiler::DeviceModel> device;
  if (!device_name.empty()) {
    TTT_ASSIGN_OR_RETURN(device, profiler::LoadDeviceModel(device_name, fidelity));
  }

  std::vector<int32_t> prompt;
  if (!prompt_text.empty()) {
    if (!shape.empty()) return absl::InvalidArgumentError("--prompt needs a model with a tokenizer; --shape has none");
    TTT_ASSIGN_OR_RETURN(prompt, tokenizer->Encode(prompt_text, /*add_bos=*/true));
  } else {
    std::mt19937 rng(7);  // a seeded random prompt: the profile depends on its length, not its text
    std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(model->vocab_size() - 1));
    prompt.resize(static_cast<size_t>(
        std::min<long long>(n_prompt, std::max<long long>(1, model->spec().max_seq_len() - n_tokens))));
    for (int32_t& t : prompt) t = token(rng);
  }

  const int threads = NumThreads();
  // Measured before and after the run, the larger kept, as `ttt bench` does (a shared machine's contention
  // lowers a single measurement).
  double bandwidth = MeasureMemoryReadBandwidth(threads), peak = MeasureGemmPeak(threads);
  profiler::RecordOptions record{.decode_tokens = n_tokens, .prefill_chunk = chunk};
  TTT_ASSIGN_OR_RETURN(profiler::Recording run, profiler::RecordRun(*model, prompt, record));
  bandwidth = std::max(bandwidth, MeasureMemoryReadBandwidth(threads));
  peak = std::max(peak, MeasureGemmPeak(threads));

  profiler::MachineLimits machine{.name = absl::StrCat("cpu, ", threads, " threads"), .bandwidth = bandwidth,
                                  .peak_flops = peak};
  for (int d = 0; d < kernels::kNumDTypes; ++d) {  // formats whose prompts run a GEMM of their own
    if (kernels::ActiveKernels().gemm[d] != nullptr) {
      machine.weight_peak_flops[d] = MeasureGemmPeak(threads, static_cast<DType>(d));
    }
  }
  profiler::ProfileSummary summary = profiler::Summarise(run.events, machine);
  summary.dropped_events = run.dropped;
  profiler::SuggestOptions suggest{.min_share = min_share};
  TTT_ASSIGN_OR_RETURN(const ModelModules modules, model->Modules());
  suggest.module_kinds = ModuleKinds(modules);
  suggest.kinds = &model->kinds();
  auto suggestions = profiler::Suggest(summary, suggest);
  if (device) {
    const auto on_device = profiler::SuggestForDevice(summary, *device, suggest);
    suggestions.insert(suggestions.end(), on_device.begin(), on_device.end());
  }
  std::cout << "model: " << source << ", prompt " << prompt.size() << " tokens, " << n_tokens << " decoded\n";
  profiler::ReportOptions report{.per_layer = per_layer, .device = device ? &*device : nullptr};
  std::cout << profiler::FormatReport(summary, suggestions, report);
  if (device) {
    // The device cost model's totals for the same run (`ttt predict` prints them per op).
    TTT_ASSIGN_OR_RETURN(const std::string predicted,
                         DevicePredictionLine(*model, static_cast<int64_t>(prompt.size()), n_tokens));
    if (!predicted.empty()) std::cout << predicted << "\n";
  }
  if (!trace_path.empty()) {
    TTT_RETURN_IF_ERROR(profiler::WriteChromeTrace(trace_path, run.events, absl::StrCat("ttt profile ", source)));
    std::cerr << "wrote " << run.events.size() << " trace events to " << trace_path
              << " (open in https://ui.perfetto.dev or chrome://tracing)\n";
  }
  return absl::OkStatus();
}

TTT_COMMAND({"profile", "time, bytes and FLOPs per layer, module and op against the roofline, with suggestions",
             Flags({{{"--shape", "a named shape with random weights instead of --model (smollm-135m, ...)", ""},
                     {"-p,--prompt", "the prompt to profile (default: --prompt-tokens random tokens)", ""},
                     {"--prompt-tokens", "prompt length when no --prompt is given", "128", FlagKind::kInt},
                     {"--tokens", "tokens to generate", "32", FlagKind::kInt},
                     {"--trace", "write a Chrome trace-event JSON file (open in ui.perfetto.dev)", ""},
                     {"--fidelity", "math fidelity of the --device estimate: lofi, hifi2, hifi4", "hifi2"},
                     {"--prefill-chunk", "tokens per prefill step", "256", FlagKind::kInt},
                     {"--min-share", "hide ops below this share of the time", "0.05", FlagKind::kNumber},
                     {"--no-layers", "no per-layer table", "", FlagKind::kSwitch}},
                    ModelFlags(), ThreadsFlag(), HardwareFlags()}),
             RunProfile});

}  // namespace
}  // namespace ttt::cli
