// Pieces shared by the loaders of HF files (tokenizer.json, vocab.json + merges.txt): JSON parsing with
// located errors, the piece -> id vocabulary object, and what tokenizer_config.json says about special tokens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/tokenizers/tokenizer.h"
#include "nlohmann/json.hpp"

namespace ttt::tokenizers {

struct HfTokenizerConfig {
  std::optional<std::string> bos_token, eos_token, unk_token;
  std::optional<bool> add_bos_token;
  std::vector<std::string> special_tokens;  // every token the config names as special
};

// Reads `directory`/tokenizer_config.json; an absent file gives an empty config, a malformed one an error.
absl::StatusOr<HfTokenizerConfig> ReadHfTokenizerConfig(const std::string& directory);

// Parses JSON text, turning a syntax error into a status naming `path` and the byte offset.
absl::StatusOr<nlohmann::json> ParseJson(const std::string& text, const std::string& path);

// Turns a {"piece": id, ...} object into pieces indexed by id; ids not listed are left as empty kUnused
// entries. `where` names the file and key in errors.
absl::Status ReadVocabObject(const nlohmann::json& object, const std::string& where, Vocabulary* vocab);

// Sets the piece of `id` (growing the vocabulary if needed), for added tokens listed apart from the model.
absl::Status SetPiece(int32_t id, const std::string& piece, TokenType type, const std::string& where,
                      Vocabulary* vocab);

// The refusal every HF loader gives for a component it does not implement (rather than tokenizing wrongly).
// The root's "added_tokens" (special ones as control tokens, the others user-defined), each at its id; an entry
// naming a piece already at that id only changes its type.
absl::Status ReadAddedTokens(const nlohmann::json& root, const std::string& path, Vocabulary* vocab);

absl::Status UnsupportedTokenizerJson(const std::string& path, const std::string& what);

// root[key] and the members of a "Sequence" of such components (under `sequence_key`), flattened; pointers
// into `root`. Empty when the key is absent or null.
std::vector<const nlohmann::json*> JsonComponents(const nlohmann::json& root, const char* key,
                                                  const char* sequence_key);

// Picks bos/eos ids: the names in tokenizer_config.json first, else the usual names if present. The unknown
// token is left to the model: HF's fast tokenizers use only the model's own unk_token.
void ResolveSpecialIds(const HfTokenizerConfig& config, Vocabulary* vocab);

}  // namespace ttt::tokenizers
