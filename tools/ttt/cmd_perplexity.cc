// ttt perplexity: perplexity of a text file as llama.cpp's llama-perplexity computes it, so the two figures
// compare. The whole file is tokenized once (BOS first when the model adds it) and cut into chunks of -c
// tokens (the remainder is dropped); each chunk is evaluated from an empty cache with its first token
// replaced by BOS (when the model adds one), and only the second half is scored: positions c/2 .. c-2
// predicting tokens c/2+1 .. c-1, so every scored token has at least c/2 tokens of context. The ± is the
// standard error of the mean negative log-likelihood carried through exp(), as llama-perplexity prints it.
#include <algorithm>
#include <cmath>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

// -log p(token | logits) by the log-softmax, in double.
double NegativeLogLikelihood(const float* logits, int64_t vocab, int32_t token) {
  const float max = *std::max_element(logits, logits + vocab);
  double sum = 0;
  for (int64_t v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(logits[v] - max));
  return -(logits[token] - max - std::log(sum));
}

absl::Status RunPerplexity(const Args& args) {
  long long ctx = 0, max_chunks = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("ctx-size", &ctx));
  TTT_RETURN_IF_ERROR(args.GetInt("chunks", &max_chunks));
  const std::string file = args.Get("file");
  if (file.empty()) return absl::InvalidArgumentError("-f/--file TEXT is required");
  if (ctx < 4) return absl::InvalidArgumentError(absl::StrCat("-c/--ctx-size ", ctx, ": use at least 4 tokens"));
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(file));
  const CausalLm& model = *loaded.model;
  if (ctx > model.spec().max_seq_len()) {
    return absl::InvalidArgumentError(absl::StrCat("-c/--ctx-size ", ctx, " is beyond the model's context of ",
                                                   model.spec().max_seq_len(), " tokens: give a smaller -c"));
  }
  const bool add_bos = model.spec().special_tokens().add_bos();
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> tokens, loaded.tokenizer->Encode(text, add_bos));
  const int64_t n_ctx = ctx;
  if (static_cast<int64_t>(tokens.size()) < 2 * n_ctx) {
    return absl::InvalidArgumentError(absl::StrCat(file, " has ", tokens.size(), " tokens; a context of ", n_ctx,
                                                   " needs at least ", 2 * n_ctx, ": give a longer text or a "
                                                   "smaller -c"));
  }
  int64_t n_chunk = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (max_chunks > 0) n_chunk = std::min<int64_t>(n_chunk, max_chunks);
  const int64_t first = n_ctx / 2, vocab = model.vocab_size();
  std::cerr << absl::StrFormat("perplexity: %d tokens, %d chunks of %d, scoring the last %d of each\n",
                               tokens.size(), n_chunk, n_ctx, n_ctx - first - 1);
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, n_ctx));
  std::vector<float> logits((n_ctx - first) * vocab);
  double nll = 0, nll2 = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < n_chunk; ++i) {
    std::vector<int32_t> chunk(tokens.begin() + i * n_ctx, tokens.begin() + (i + 1) * n_ctx);
    if (add_bos) chunk[0] = loaded.tokenizer->bos_id();
    state->Reset(0);
    // The first half only builds the cache; the logits of the second half are the ones scored.
    TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, absl::MakeConstSpan(chunk.data(), first), logits.data(), false));
    TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, absl::MakeConstSpan(chunk.data() + first, n_ctx - first),
                                      logits.data(), true));
    for (int64_t t = first; t + 1 < n_ctx; ++t) {
      const double v = NegativeLogLikelihood(logits.data() + (t - first) * vocab, vocab, chunk[t + 1]);
      nll += v;
      nll2 += v * v;
      ++count;
    }
    std::cerr << absl::StrFormat("[%d]%.4f,", i + 1, std::exp(nll / count)) << std::flush;
  }
  std::cerr << "\n";
  const double mean = nll / count, ppl = std::exp(mean);
  const double variance = nll2 / count - mean * mean;
  const double error = count > 1 && variance > 0 ? std::sqrt(variance / (count - 1)) * ppl : 0;
  std::cout << absl::StrFormat("Final estimate: PPL = %.4f +/- %.5f (%d tokens scored, %d chunks of %d)\n", ppl,
                               error, count, n_chunk, n_ctx);
  return absl::OkStatus();
}

TTT_COMMAND({"perplexity", "perplexity of a text file, computed as llama-perplexity does (chunks, second halves)",
             Flags({{{"-f,--file", "the text file (required)", ""},
                     {"-c,--ctx-size,--ctx", "tokens per chunk; the last half of each is scored", "512",
                      FlagKind::kInt},
                     {"--chunks", "score at most this many chunks (0: all)", "0", FlagKind::kInt}},
                    ModelFlags(), ThreadsFlag(), HardwareFlags()}),
             RunPerplexity});

}  // namespace
}  // namespace ttt::cli
