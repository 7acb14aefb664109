// The pre-tokenizers GGUF files name in tokenizer.ggml.pre (the names llama.cpp knows), as split rules:
// each model family's regexes, as its tokenizer.json applies them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizers/regex_pretokenizer.h"

namespace ttt::tokenizers {

struct NamedPreTokenizer {
  std::vector<SplitRule> rules;
  bool ignore_merges = false;  // the family's BPE model has ignore_merges (Llama 3, Tekken)
  bool add_bos = false;        // BOS by default when the file does not say (llama.cpp's choice per family)
};

// nullopt for a name llama.cpp does not know either.
std::optional<NamedPreTokenizer> FindNamedPreTokenizer(std::string_view name);

// Every known name, sorted, for error messages.
std::vector<std::string> NamedPreTokenizerNames();

}  // namespace ttt::tokenizers
