// tokenizer.json with a "Unigram" model (T5, Pegasus, ALBERT... as HF's SentencePiece converter writes them).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/tokenizers/tokenizer.h"
#include "nlohmann/json.hpp"

namespace ttt::tokenizers {

// `root` is the whole file, `path` names it in errors; tokenizer_config.json beside it names bos/eos.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadHfUnigram(const nlohmann::json& root, const std::string& path);

}  // namespace ttt::tokenizers
