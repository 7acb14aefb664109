// What a tokenizer.json's normalizer and pre-tokenizer say, turned into the options of the byte-level BPE
// and WordPiece tokenizers. Components this library does not implement are refused by name.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/tokenizers/byte_level_bpe_tokenizer.h"
#include "core/tokenizers/wordpiece_tokenizer.h"
#include "nlohmann/json.hpp"

namespace ttt::tokenizers {

// nullopt when the pre-tokenizer has no ByteLevel component: not a byte-level model.
absl::StatusOr<std::optional<ByteLevelOptions>> ReadByteLevelOptions(const nlohmann::json& root,
                                                                     const std::string& path);

// The BertNormalizer (or none) and BertPreTokenizer around a WordPiece model, and the model's settings.
absl::StatusOr<WordPieceOptions> ReadWordPieceOptions(const nlohmann::json& root, const std::string& path);

}  // namespace ttt::tokenizers
