// ttt logits: the logits of every position of a token sequence, from one prefill, as raw float32.
#include <cstring>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "tools/ttt/common.h"
#include "tools/ttt/mpi_transport.h"

namespace ttt::cli {
namespace {

absl::Status RunLogits(const Args& args) {
  std::string out = args.Get("out");
  std::string token_list = args.Get("tokens");
  if (out.empty() || token_list.empty()) {
    return absl::InvalidArgumentError("--tokens 1,2,3 and --out FILE are required");
  }
  std::vector<int32_t> tokens;
  for (absl::string_view piece : absl::StrSplit(token_list, ',', absl::SkipWhitespace())) {
    int32_t id;
    if (!absl::SimpleAtoi(piece, &id)) {
      return absl::InvalidArgumentError(absl::StrCat("--tokens: '", piece, "' is not a token id"));
    }
    tokens.push_back(id);
  }
  TTT_ASSIGN_OR_RETURN(std::shared_ptr<Transport> transport, TransportFromArgs(args));
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/false, transport));
  const CausalLm& model = *loaded.model;
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, static_cast<int64_t>(tokens.size()),
                                                  static_cast<int64_t>(tokens.size())));
  std::vector<float> logits(tokens.size() * model.vocab_size());
  TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, tokens, logits.data(), /*all_logits=*/true));
  if (transport != nullptr && transport->rank() != 0) return absl::OkStatus();  // every rank has the logits
  TTT_RETURN_IF_ERROR(WriteFileAtomically(
      out, absl::string_view(reinterpret_cast<const char*>(logits.data()), logits.size() * sizeof(float))));
  std::cerr << "wrote " << tokens.size() << " x " << model.vocab_size() << " float32 logits to " << out << "\n";
  return absl::OkStatus();
}

TTT_COMMAND({"logits", "write the logits of every position of --tokens, from one prefill, as raw float32",
             Flags({{{"--tokens", "comma-separated token ids (required)", ""},
                     {"--out", "the output file: float32 [tokens, vocab] (required)", ""}},
                    ModelFlags(), ThreadsFlag(), HardwareFlags(), TransportFlag()}),
             RunLogits});

}  // namespace
}  // namespace ttt::cli
