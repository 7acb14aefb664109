// ttt perplexity: exp(mean negative log-likelihood) of a text file under the model.
#include <cmath>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

absl::Status RunPerplexity(const std::vector<std::string>& argv) {
  Args args(argv);
  std::string file = args.Get("file");
  if (file.empty()) return absl::InvalidArgumentError("--file TEXT is required");
  long long ctx = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("ctx", 0, &ctx));
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
  TTT_RETURN_IF_ERROR(args.CheckAllUsed());
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(file));
  const CausalLm& model = *loaded.model;
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> tokens,
                       loaded.tokenizer->Encode(text, model.spec().special_tokens().add_bos()));
  if (tokens.size() < 2) return absl::InvalidArgumentError(absl::StrCat(file, " has fewer than 2 tokens"));
  // Windows of the context length, each scored on its own (positions after the first of each window).
  const int64_t window = ctx > 0 ? std::min<int64_t>(ctx, model.spec().max_seq_len()) : model.spec().max_seq_len();
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, window));
  const int64_t vocab = model.vocab_size();
  std::vector<float> logits(window * vocab);
  double nll = 0;
  int64_t scored = 0;
  for (size_t start = 0; start + 1 < tokens.size(); start += window) {
    const size_t n = std::min<size_t>(window, tokens.size() - start);
    if (n < 2) break;
    state->Reset(0);
    TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, absl::MakeConstSpan(tokens.data() + start, n), logits.data(), true));
    for (size_t t = 0; t + 1 < n; ++t) {
      const float* row = logits.data() + t * vocab;
      double max = *std::max_element(row, row + vocab), sum = 0;
      for (int64_t v = 0; v < vocab; ++v) sum += std::exp(row[v] - max);
      nll += -(row[tokens[start + t + 1]] - max - std::log(sum));
      ++scored;
    }
  }
  std::cout << "perplexity " << std::exp(nll / scored) << " over " << scored << " tokens (context " << window << ")\n";
  return absl::OkStatus();
}

TTT_COMMAND({"perplexity", "perplexity of a text file under the model",
             absl::StrCat("ttt perplexity --model PATH --file TEXT [--tokenizer PATH] [--ctx N] [--threads N] ", kHwFlagsUsage), RunPerplexity});

}  // namespace
}  // namespace ttt::cli
