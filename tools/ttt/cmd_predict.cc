// ttt predict: the device cost model's decode time per token, tokens/s and time to first token of a model on
// a Tenstorrent device, per op, per layer and in total, from the model's shapes alone (no weight is read or
// built); --validate compares it with every row of tt-metal's published table.
#include <cmath>
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/factory/synthetic.h"
#include "core/formats/checkpoint.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/hw_enums.h"
#include "core/profiler/capacity.h"
#include "core/profiler/cost_model.h"
#include "core/profiler/published_perf.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"
#include "tools/ttt/command.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

using profiler::OpCost;
using profiler::Prediction;

void PrintOps(const Prediction& p, bool prefill) {
  const std::vector<OpCost>& ops = prefill ? p.prefill : p.decode;
  std::cout << absl::StrFormat("  %-6s %-15s %-14s %-11s %10s %10s %11s  %s\n", "layer", "module", "op", "kind",
                               "MB/chip", "GFLOP/chip", "us", "bound");
  for (const OpCost& op : ops) {
    if (op.layer > 0) continue;  // every layer of these models is priced alike: layer 0 stands for them
    std::cout << absl::StrFormat("  %-6s %-15s %-14s %-11s %10.2f %10.3f %11.2f  %s\n",
                                 op.layer < 0 ? "model" : absl::StrCat(op.layer), op.module, op.op, op.kind,
                                 op.weight_bytes / 1e6, op.flops / 1e9, OpSeconds(op, p.family, p.stack) * 1e6,
                                 BoundName(OpBound(op, p.family, p.stack)));
  }
}

// Consecutive layers of equal time on one line.
void PrintLayers(const Prediction& p, bool prefill) {
  const std::vector<OpCost>& ops = prefill ? p.prefill : p.decode;
  std::vector<double> layers;
  double model = 0;
  for (const OpCost& op : ops) {
    const double s = OpSeconds(op, p.family, p.stack);
    if (op.layer < 0) { model += s; continue; }
    if (layers.size() <= static_cast<size_t>(op.layer)) layers.resize(op.layer + 1);
    layers[op.layer] += s;
  }
  for (size_t first = 0; first < layers.size();) {
    size_t last = first;
    while (last + 1 < layers.size() && std::abs(layers[last + 1] - layers[first]) < 1e-12) ++last;
    std::cout << absl::StrFormat("  layers %zu-%zu: %.1f us each\n", first, last, layers[first] * 1e6);
    first = last + 1;
  }
  std::cout << absl::StrFormat("  once per model (embedding, final norm, head, sampling): %.1f us\n", model * 1e6);
}

void PrintPlan(const TensorParallelPlan& plan) {
  std::cout << "tensor parallelism:";
  for (const OpSplit& s : plan.splits) {
    std::cout << absl::StrFormat(" %s.%s %s (%dx%d)", s.module, s.op, SplitName(s.split), s.out_ways, s.in_ways);
  }
  std::cout << "\ncollectives per layer:";
  for (const CollectiveStep& c : plan.per_layer) {
    std::cout << absl::StrFormat(" %s after %s.%s over %d chips;", CollectiveName(c.kind), c.module, c.after, c.chips);
  }
  std::cout << "\n";
}

absl::Status RunValidate() {
  TTT_ASSIGN_OR_RETURN(const profiler::StackCosts coded, profiler::CostsForStack("tt-transformers"));
  TTT_ASSIGN_OR_RETURN(const auto first, profiler::CheckPublishedRows(coded));
  const profiler::StackCosts fit = profiler::FitStack(first, coded);
  std::cout << absl::StrFormat(
      "tt-transformers constants fitted on the fit rows: decode overhead %.1f us/op, prefill overhead %.0f us/op, "
      "prefill utilisation x%.2f (core/profiler/cost_params.cc has %.1f, %.0f, x%.2f); the rows below use the fit\n",
      fit.decode_op_overhead_s * 1e6, fit.prefill_op_overhead_s * 1e6, fit.prefill_utilisation,
      coded.decode_op_overhead_s * 1e6, coded.prefill_op_overhead_s * 1e6, coded.prefill_utilisation);
  TTT_ASSIGN_OR_RETURN(const auto rows, profiler::CheckPublishedRows(fit));
  std::cout << absl::StrFormat("%-14s %-5s %-16s %-8s | %8s %8s %6s | %9s %9s %6s\n", "model", "dev", "stack", "rows",
                               "t/s/u", "publ.", "ratio", "TTFT ms", "publ.", "ratio");
  double worst_tsu = 0, worst_ttft = 0, sum_tsu = 0, sum_ttft = 0;
  int held_out = 0;
  for (const profiler::RowCheck& r : rows) {
    std::cout << absl::StrFormat("%-14s %-5s %-16s %-8s | %8.1f %8.1f %6.2f | %9.1f %9.1f %6.2f\n", r.row.model,
                                 r.row.device, r.row.stack, r.row.fit ? "fit" : "held-out",
                                 r.prediction.tokens_per_s_per_user(), r.row.tokens_per_s_per_user, r.tsu_ratio,
                                 r.prediction.ttft_s() * 1e3, r.row.ttft_ms, r.ttft_ratio);
    if (r.row.fit) continue;
    ++held_out;
    worst_tsu = std::max(worst_tsu, std::abs(r.tsu_ratio - 1));
    worst_ttft = std::max(worst_ttft, std::abs(r.ttft_ratio - 1));
    sum_tsu += std::abs(r.tsu_ratio - 1);
    sum_ttft += std::abs(r.ttft_ratio - 1);
  }
  for (const profiler::RowCheck& r : rows) {
    if (!r.hw_config.empty()) std::cout << r.row.model << " runs with " << r.hw_config << " (its demo's formats)\n";
  }
  std::cout << absl::StrFormat(
      "held-out rows (%d): t/s/u error mean %.1f%%, worst %.1f%%; TTFT error mean %.1f%%, worst %.1f%%\n", held_out,
      100 * sum_tsu / held_out, 100 * worst_tsu, 100 * sum_ttft / held_out, 100 * worst_ttft);
  return absl::OkStatus();
}

absl::Status RunPredict(const Args& args) {
  if (args.Has("validate")) return RunValidate();
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  long long batch = 1, context = 0, prompt = 128;
  TTT_RETURN_IF_ERROR(args.GetInt("batch", &batch));
  TTT_RETURN_IF_ERROR(args.GetInt("prompt-tokens", &prompt));
  TTT_RETURN_IF_ERROR(args.GetInt("context", &context));
  if (context == 0) context = prompt;
  const std::string stack_name = args.Get("stack");
  const bool per_op = !args.Has("no-ops");
  std::optional<Validated<spec::ModelSpec>> validated;
  std::string what;
  if (args.Has("shape")) {
    if (args.Has("model")) return absl::InvalidArgumentError("give --model PATH or --shape NAME, not both");
    what = args.Get("shape");
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec shape, NamedShape(what));
    TTT_ASSIGN_OR_RETURN(validated, ValidateModel(std::move(shape)));
  } else {
    what = args.Has("model") ? args.Get("model") : DemoModelPath();
    // The checkpoint's tensors are mapped, never read: only its spec is used.
    TTT_ASSIGN_OR_RETURN(formats::Checkpoint checkpoint, formats::LoadCheckpoint(what));
    validated = checkpoint.spec;
  }
  if (batch < 1 || context < 1 || prompt < 1) {
    return absl::InvalidArgumentError("--batch, --context and --prompt-tokens must each be >= 1");
  }
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile device, GetDeviceProfile(build.device));
  HwShortcuts shortcuts;
  if (build.linear_weight_dtype) shortcuts.weights = ToHwDType(*build.linear_weight_dtype);
  if (build.kv_cache_dtype) shortcuts.kv_cache = ToHwDType(*build.kv_cache_dtype);
  TTT_ASSIGN_OR_RETURN(ResolvedHwConfig resolved,
                       ResolveHwConfig(*validated, device, build.mode, build.hw_config ? &*build.hw_config : nullptr,
                                       build.hw_config_name, shortcuts));
  TTT_ASSIGN_OR_RETURN(const profiler::StackCosts stack, profiler::CostsForStack(stack_name));
  TTT_ASSIGN_OR_RETURN(const Prediction p, profiler::Predict(*validated, resolved, stack,
                                                             {.batch = batch, .context = context, .prompt_tokens = prompt}));
  const profiler::ChipCapacity capacity =
      profiler::CapacityPerChip(*validated, resolved, p.plan, p.family, batch, std::max(context, prompt));
  const std::string chips =
      p.plan.chips == 1 ? "1 chip"
      : p.plan.rows > 1 ? absl::StrFormat("%d chips, %dx%d mesh of lines", p.plan.chips, p.plan.rows, p.plan.cols)
                        : absl::StrFormat("%d chips, a %s", p.plan.chips,
                                          p.plan.topology == Topology::kRing ? "ring" : "line");
  std::cout << absl::StrFormat("%s on %s (%s), %s mode, stack %s: batch %d, context %d, prompt %d\n", what,
                               device.name(), chips, ConfigModeName(build.mode), stack.name, batch, context, prompt);
  std::cout << absl::StrFormat(
      "per chip: %.2f GiB weights + %.2f GiB KV cache + %.2f GiB prefill buffers + %.2f GiB reserved of %.2f GiB; "
      "largest context at batch %d: %d\n",
      capacity.weights / (1 << 30), capacity.kv_cache / (1 << 30), capacity.prefill_buffers / (1 << 30),
      capacity.reserved / (1 << 30), capacity.dram / (1 << 30), batch, capacity.largest_context);
  TTT_RETURN_IF_ERROR(profiler::CheckCapacity(capacity, device.name(), batch, std::max(context, prompt)));
  if (p.plan.chips > 1) PrintPlan(p.plan);
  if (per_op) {
    std::cout << "decode step, per op (one chip):\n";
    PrintOps(p, false);
    std::cout << "prefill, per op (one chip):\n";
    PrintOps(p, true);
  }
  std::cout << "decode step per layer:\n";
  PrintLayers(p, false);
  std::cout << "prefill per layer:\n";
  PrintLayers(p, true);
  std::cout << profiler::DescribeTotals(p) << "\n";
  return absl::OkStatus();
}

TTT_COMMAND({"predict", "predicted decode time, tokens/s and time to first token on a Tenstorrent device",
             Flags({{{"-m,--model", "a model file or folder, whose spec alone is read (default: the bundled demo)", ""},
                     {"--shape", "a named shape instead of a model (llama-70b, llama-8b, ...)", ""},
                     {"--batch", "users decoded together", "1", FlagKind::kInt},
                     {"--context", "positions cached when the token is decoded (0: the prompt)", "0", FlagKind::kInt},
                     {"--prompt-tokens", "prompt length for the time to first token", "128", FlagKind::kInt},
                     {"--stack", "tt-transformers or galaxy-demo (whose measured constants to use)",
                      "tt-transformers"},
                     {"--no-ops", "totals and layers only, not every op", "", FlagKind::kSwitch},
                     {"--validate", "every row of tt-metal's published table: prediction, published, ratio", "",
                      FlagKind::kSwitch}},
                    ThreadsFlag(), HardwareFlags()}),
             RunPredict});

}  // namespace
}  // namespace ttt::cli
