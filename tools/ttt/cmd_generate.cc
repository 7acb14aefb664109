// ttt generate: streams generated text to stdout.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/factory/seq2seq_loader.h"
#include "core/formats/t5/t5_checkpoint.h"
#include "core/generation/generate.h"
#include "core/generation/seq2seq_generate.h"
#include "core/hwconfig/resolve.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "tools/ttt/common.h"
#include "tools/ttt/kv_policy_flag.h"
#include "tools/ttt/mpi_transport.h"

namespace ttt::cli {
namespace {

// An encoder-decoder model (T5): the prompt is the source text (with </s>, as T5's tokenizer adds it), and the
// output is decoded greedily from decoder_start_token_id until EOS or the budget. Of the hardware flags
// --device, --mode, --hw-config (module defaults only) and --weights apply (the projections' formats and the
// device's numerics, Seq2SeqLm::UseDevice), and the sampling flags as for a decoder.
absl::Status RunSeq2Seq(const Args& args, const std::string& prompt, int64_t max_new_tokens,
                        const SamplingOptions& sampling) {
  Seq2SeqLoadOptions load;
  TTT_ASSIGN_OR_RETURN(load.run_as, DeviceOptionsFromArgs(args));
  TTT_ASSIGN_OR_RETURN(LoadedSeq2Seq m, LoadSeq2Seq(args.Get("model"), load));
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> source,
                       m.tokenizer->Encode(prompt, tokenizers::EncodeOptions{.add_eos = true}));
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> out, GenerateSeq2Seq(*m.model, source, max_new_tokens, sampling));
  std::cout << m.tokenizer->Decode(out) << "\n";
  if (args.Has("stats")) {
    std::cerr << "source " << source.size() << " tokens, generated " << out.size() << " tokens (seq2seq, "
              << (sampling.temperature > 0 ? "sampled" : "greedy") << ")\n";
  }
  return absl::OkStatus();
}

absl::Status RunGenerate(const Args& args) {
  GenerationOptions options;
  long long n = 0, ctx = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("n-predict", &n));
  TTT_ASSIGN_OR_RETURN(options.sampling, SamplingOptionsFromArgs(args));
  TTT_RETURN_IF_ERROR(args.GetInt("ctx-size", &ctx));
  if (ctx < 0) return absl::InvalidArgumentError("--ctx-size must be >= 0 (0: prompt + budget, capped at the model's)");
  options.context = ctx;
  TTT_ASSIGN_OR_RETURN(options.kv_policy, ParseKvPolicyFlag(args.Get("kv-policy")));
  options.max_new_tokens = static_cast<int32_t>(n);
  options.stop_strings = args.GetAll("reverse-prompt");
  std::string prompt = args.Get("prompt");
  if (args.Has("file")) {
    if (args.Has("prompt")) return absl::InvalidArgumentError("give -p/--prompt or -f/--file, not both");
    TTT_ASSIGN_OR_RETURN(prompt, ReadFileToString(args.Get("file")));
  }
  if (args.Has("model") && formats::IsSeq2SeqCheckpoint(args.Get("model"))) {
    return RunSeq2Seq(args, prompt, n, options.sampling);
  }
  const bool show_stats = args.Has("stats");
  TTT_ASSIGN_OR_RETURN(std::shared_ptr<Transport> transport, TransportFromArgs(args));
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true, transport));
  std::cout << prompt << std::flush;
  TTT_ASSIGN_OR_RETURN(auto results, Generate(*loaded.model, *loaded.tokenizer, {prompt}, options,
                                              [](size_t, std::string_view text) {
                                                std::cout << text << std::flush;
                                                return true;
                                              }));
  std::cout << "\n";
  if (show_stats && (transport == nullptr || transport->rank() == 0)) {
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
             Flags({{{"-p,--prompt", "the text to continue", ""},
                     {"-f,--file", "read the prompt from this file", ""},
                     {"-n,--n-predict", "tokens to generate at most", "256", FlagKind::kInt},
                     {"-c,--ctx-size,--ctx", "context length (0: prompt + budget, capped at the model's)", "0",
                      FlagKind::kInt},
                     {"-r,--reverse-prompt,--stop", "stop when the output ends with this text (repeatable)", "",
                      FlagKind::kList},
                     {"--stats", "print prompt and generation speed to stderr", "", FlagKind::kSwitch}},
                    SamplingFlags("0"), KvPolicyFlags(), ModelFlags(), ThreadsFlag(), HardwareFlags(), TransportFlag()}),
             RunGenerate});

}  // namespace
}  // namespace ttt::cli
