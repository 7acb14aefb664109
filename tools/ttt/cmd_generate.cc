// ttt generate: streams generated text to stdout.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/generation/generate.h"
#include "core/runtime/status.h"
#include "tools/ttt/common.h"
#include "tools/ttt/kv_policy_flag.h"

namespace ttt::cli {
namespace {

absl::Status RunGenerate(const std::vector<std::string>& argv) {
  Args args(argv);
  GenerationOptions options;
  long long n = 0, ctx = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("n", 256, &n));
  TTT_ASSIGN_OR_RETURN(options.sampling, SamplingOptionsFromArgs(args));
  TTT_RETURN_IF_ERROR(args.GetInt("ctx", 0, &ctx));
  if (ctx < 0) return absl::InvalidArgumentError("--ctx must be >= 0 (0: prompt + budget, capped at the model's)");
  options.context = ctx;
  TTT_ASSIGN_OR_RETURN(options.kv_policy, ParseKvPolicyFlag(args.Get("kv-policy")));
  options.max_new_tokens = static_cast<int32_t>(n);
  if (args.Has("stop")) options.stop_strings = {args.Get("stop")};
  std::string prompt = args.Get("prompt");
  const bool show_stats = args.Has("stats");
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
  TTT_RETURN_IF_ERROR(args.CheckAllUsed());
  std::cout << prompt << std::flush;
  TTT_ASSIGN_OR_RETURN(auto results, Generate(*loaded.model, *loaded.tokenizer, {prompt}, options,
                                              [](size_t, std::string_view text) {
                                                std::cout << text << std::flush;
                                                return true;
                                              }));
  std::cout << "\n";
  if (show_stats) {
    const GenerationResult& r = results.front();
    std::cerr << "prompt " << r.prompt_tokens.size() << " tokens in " << r.prefill_seconds << " s, generated "
              << r.tokens.size() << " tokens at "
              << (r.decode_seconds > 0 ? (r.tokens.size() - 1) / r.decode_seconds : 0) << " tokens/s, stop: "
              << StopReasonName(r.stop_reason);
    if (options.kv_policy != nullptr) {
      std::cerr << ", KV cache compacted " << r.kv_compactions << " times (" << r.evicted_tokens
                << " tokens evicted)";
    }
    std::cerr << "\n";
  }
  return absl::OkStatus();
}

TTT_COMMAND({"generate", "generate text from a prompt (default: the bundled stories260K demo model)",
             absl::StrCat("ttt generate [--model PATH] [--tokenizer PATH] [--prompt TEXT] [-n N] ",
             kSamplingUsage, " [--stop TEXT] "
             "[--ctx N] [--threads N] [--stats] ", kKvPolicyUsage, " ", kHwFlagsUsage),
             RunGenerate});

}  // namespace
}  // namespace ttt::cli
