// What `ttt tokenize` prints, as llama.cpp's llama-tokenize prints it, and how it reads escapes in a prompt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

enum class TokenListing {
  kIdsAndPieces,  // one line per token: "<id, width 6> -> '<piece>'" (llama-tokenize's default)
  kIds,           // "[1, 2, 3]" (llama-tokenize --ids)
  kPieces,        // the vocabulary's spellings as a Python list: ['▁Hello', '▁world'] (HF's tokenize())
};

// Ends with a newline; an empty id list gives "" for kIdsAndPieces.
std::string FormatTokens(const Tokenizer& tokenizer, absl::Span<const int32_t> ids, TokenListing listing);

// llama.cpp's prompt escapes: \n \r \t \' \" \\ and \xHH become the characters they name; any other
// backslash stays as it is.
std::string ProcessEscapes(std::string_view text);

}  // namespace ttt::tokenizers
