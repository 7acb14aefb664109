// ttt accuracy: how far each device x mode moves a model's logits from the f32 CPU model. Every device runs
// with its resolved hardware config (Tenstorrent devices emulated with their numerics: block-float weights and
// activations, math fidelity, BF16/FP32 accumulation, see core/ops/tt_numerics.h); the logits of a fixed
// prompt are compared with the f32 CPU model's (PCC, top-1 agreement, max |error|) and printed as a markdown
// table.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/hwconfig/device_registry.h"
#include "core/runtime/status.h"
#include "core/testing/reference_logits.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

namespace fs = std::filesystem;

// The prompts: the reference cases shipped beside the model (reference.json in the model's folder or its
// parent, as the fixtures have them), else --tokens, else a fixed 16-token prompt.
absl::StatusOr<std::vector<std::vector<int32_t>>> Prompts(const Args& args, const std::string& model,
                                                          int64_t vocab) {
  std::vector<std::vector<int32_t>> prompts;
  if (args.Has("tokens")) {
    std::vector<int32_t> tokens;
    for (absl::string_view piece : absl::StrSplit(args.Get("tokens"), ',', absl::SkipWhitespace())) {
      int32_t id;
      if (!absl::SimpleAtoi(piece, &id) || id < 0 || id >= vocab) {
        return absl::InvalidArgumentError(
            absl::StrCat("--tokens: '", piece, "' is not a token id below the vocabulary size ", vocab));
      }
      tokens.push_back(id);
    }
    prompts.push_back(std::move(tokens));
    return prompts;
  }
  std::string dir = args.Get("reference");
  if (dir.empty()) {
    const fs::path p = fs::path(model);
    for (const fs::path& d : {fs::is_directory(p) ? p : p.parent_path(), p.parent_path(),
                              p.parent_path().parent_path()}) {
      if (!d.empty() && fs::exists(d / "reference.json")) {
        dir = d.string();
        break;
      }
    }
  }
  if (!dir.empty()) {
    TTT_ASSIGN_OR_RETURN(auto cases, testing::LoadReferenceCases(dir));
    for (auto& c : cases) prompts.push_back(std::move(c.tokens));
    if (!prompts.empty()) return prompts;
  }
  std::vector<int32_t> fixed;
  for (int i = 0; i < 16; ++i) fixed.push_back(static_cast<int32_t>((1 + 37 * i) % vocab));
  prompts.push_back(fixed);
  return prompts;
}

absl::StatusOr<std::vector<float>> AllLogits(const CausalLm& model, const std::vector<std::vector<int32_t>>& prompts) {
  std::vector<float> all;
  for (const auto& p : prompts) {
    TTT_ASSIGN_OR_RETURN(std::vector<float> logits, testing::PrefillLogits(model, p));
    all.insert(all.end(), logits.begin(), logits.end());
  }
  return all;
}

// Loads the model for one device and mode through the same flags `ttt generate` takes, so the table measures
// exactly what a user gets with --device D --mode X.
absl::StatusOr<LoadedModel> LoadFor(const std::string& model, const std::string& device, const std::string& mode,
                                    const std::string& threads) {
  std::vector<std::string> argv = {"--model", model};
  if (!device.empty()) argv.insert(argv.end(), {"--device", device, "--mode", mode});
  argv.insert(argv.end(), {"--threads", threads});
  TTT_ASSIGN_OR_RETURN(ParsedCommandLine parsed,
                       ParseFlags({.program = "ttt accuracy"}, Flags({ModelFlags(), ThreadsFlag(), HardwareFlags()}),
                                  argv));
  return LoadModelFromArgs(parsed.args, /*require_tokenizer=*/false);
}

absl::Status RunAccuracy(const Args& args) {
  const std::string model = args.Get("model");
  if (model.empty()) return absl::InvalidArgumentError("--model PATH is required");
  std::vector<std::string> devices;
  for (absl::string_view d : absl::StrSplit(args.Has("devices") ? args.Get("devices") : absl::StrJoin(DeviceNames(), ","), ',',
                                            absl::SkipWhitespace())) {
    TTT_RETURN_IF_ERROR(GetDeviceProfile(std::string(d)).status());
    devices.emplace_back(d);
  }
  std::vector<std::string> modes;
  for (absl::string_view m : absl::StrSplit(args.Get("modes"), ',', absl::SkipWhitespace())) {
    if (m != "performance" && m != "accuracy") {
      return absl::InvalidArgumentError(absl::StrCat("--modes: '", m, "': use performance and/or accuracy"));
    }
    modes.emplace_back(m);
  }
  const std::string threads = args.Get("threads");

  TTT_ASSIGN_OR_RETURN(LoadedModel base, LoadFor(model, "", "", threads));
  TTT_ASSIGN_OR_RETURN(auto prompts, Prompts(args, model, base.model->vocab_size()));
  TTT_ASSIGN_OR_RETURN(std::vector<float> expected, AllLogits(*base.model, prompts));
  int64_t positions = 0;
  for (const auto& p : prompts) positions += static_cast<int64_t>(p.size());

  std::cout << absl::StrFormat("Logits of %s vs the f32 CPU model: %d prompt(s), %d positions, vocab %d\n\n",
                               model, prompts.size(), positions, base.model->vocab_size());
  std::cout << "| device | mode | PCC | top-1 agreement | max abs error | max abs error / max abs logit | run time |\n";
  std::cout << "|---|---|---|---|---|---|---|\n";
  for (const std::string& device : devices) {
    for (const std::string& mode : modes) {
      TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadFor(model, device, mode, threads));
      const auto t0 = std::chrono::steady_clock::now();
      TTT_ASSIGN_OR_RETURN(std::vector<float> actual, AllLogits(*loaded.model, prompts));
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const testing::LogitsAgreement a = testing::CompareLogits(actual, expected, base.model->vocab_size());
      std::cout << absl::StrFormat("| %s | %s | %.6f | %.1f%% | %.4g | %.2e | %.1f ms |\n", device, mode, a.pcc,
                                   100 * a.top1, a.max_abs_error, a.relative_error(), 1e3 * seconds);
      std::cout.flush();
    }
  }
  return absl::OkStatus();
}

TTT_COMMAND({"accuracy",
             "PCC, top-1 agreement and max error of the logits of each device x mode vs the f32 CPU model",
             Flags({{{"-m,--model", "the model (required)", ""},
                     {"--devices", "comma list of devices (default: every known device)", ""},
                     {"--modes", "comma list of modes", "performance,accuracy"},
                     {"--reference", "a folder with reference.json prompts (default: beside the model)", ""},
                     {"--tokens", "one prompt as comma-separated token ids", ""}},
                    ThreadsFlag()}),
             RunAccuracy});

}  // namespace
}  // namespace ttt::cli
