// ttt tokenize: the tokens of a text, printed as llama.cpp's llama-tokenize prints them. Loads only the
// tokenizer (a .gguf, a tokenizer.json, a Hugging Face directory, a tokenizer.model...); a checkpoint whose
// tokenizer is a separate file (llama2.c) is opened only to find it.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/formats/checkpoint.h"
#include "core/runtime/status.h"
#include "core/tokenizers/token_listing.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "tools/ttt/command.h"

namespace ttt::cli {
namespace {

absl::StatusOr<std::string> ReadText(const Args& args) {
  const int sources = args.Has("prompt") + args.Has("file") + args.Has("stdin");
  if (sources != 1) return absl::InvalidArgumentError("give exactly one of -p/--prompt TEXT, --file FILE or --stdin");
  if (args.Has("prompt")) return args.Get("prompt");
  std::stringstream buffer;
  if (args.Has("stdin")) {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  const std::string path = args.Get("file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("--file ", path, ": cannot open it for reading"));
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status RunTokenize(const Args& args) {
  const std::string model = args.Get("model");
  const std::string tokenizer_path = args.Has("tokenizer") ? args.Get("tokenizer") : model;
  if (tokenizer_path.empty()) {
    return absl::InvalidArgumentError("--model PATH is required (a .gguf, tokenizer.json or Hugging Face directory)");
  }
  if (args.Has("ids") && args.Has("pieces")) return absl::InvalidArgumentError("--ids and --pieces exclude each other");
  const tokenizers::TokenListing listing = args.Has("ids")      ? tokenizers::TokenListing::kIds
                                           : args.Has("pieces") ? tokenizers::TokenListing::kPieces
                                                                : tokenizers::TokenListing::kIdsAndPieces;
  TTT_ASSIGN_OR_RETURN(std::string text, ReadText(args));
  // As llama-tokenize: escapes are processed, control tokens written in the text are parsed, and BOS is
  // added when the model adds it.
  if (!args.Has("no-escape")) text = tokenizers::ProcessEscapes(text);
  const bool parse_special = !args.Has("no-parse-special");
  const bool no_bos = args.Has("no-bos");
  const bool show_count = args.Has("show-count");

  absl::StatusOr<std::unique_ptr<tokenizers::Tokenizer>> loaded = tokenizers::LoadTokenizer(tokenizer_path);
  if (!loaded.ok() && !args.Has("tokenizer")) {
    // A checkpoint whose tokenizer is a file beside it (a llama2.c .bin and its tok<vocab>.bin): the one the
    // model loader would use.
    absl::StatusOr<formats::Checkpoint> checkpoint = formats::LoadCheckpoint(model);
    if (checkpoint.ok() && !checkpoint->tokenizer_path.empty()) loaded = tokenizers::LoadTokenizer(checkpoint->tokenizer_path);
  }
  if (!loaded.ok()) return loaded.status();
  std::unique_ptr<tokenizers::Tokenizer> tokenizer = *std::move(loaded);
  const tokenizers::EncodeOptions options{.add_bos = tokenizer->add_bos_by_default() && !no_bos,
                                          .parse_special = parse_special};
  TTT_ASSIGN_OR_RETURN(std::vector<int32_t> ids, tokenizer->Encode(text, options));
  std::cout << tokenizers::FormatTokens(*tokenizer, ids, listing);
  if (show_count) std::cout << "Total number of tokens: " << ids.size() << "\n";
  return absl::OkStatus();
}

TTT_COMMAND({"tokenize", "print the tokens of a text as llama.cpp's llama-tokenize does",
             {{"-m,--model", "a .gguf, tokenizer.json, Hugging Face folder, tokenizer.model or llama2.c "
                             "tokenizer.bin (required)", ""},
              {"--tokenizer", "the tokenizer file, when not the model's", ""},
              {"-p,--prompt,--text", "the text", ""},
              {"-f,--file", "read the text from this file", ""},
              {"--stdin", "read the text from standard input", "", FlagKind::kSwitch},
              {"--ids", "print [1, 2, 3] (default: one '<id> -> '<piece>'' line per token)", "", FlagKind::kSwitch},
              {"--pieces", "print the vocabulary's spellings as a Python list", "", FlagKind::kSwitch},
              {"--no-bos", "do not add BOS even when the model adds it", "", FlagKind::kSwitch},
              {"--no-parse-special", "control tokens in the text are plain text", "", FlagKind::kSwitch},
              {"--no-escape", "do not process escapes (\\n, \\t) in the text", "", FlagKind::kSwitch},
              {"--show-count", "print the number of tokens last", "", FlagKind::kSwitch}},
             RunTokenize});

}  // namespace
}  // namespace ttt::cli
