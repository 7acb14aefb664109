#include "core/tokenizers/hf_common.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/runtime/checked_size.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"

namespace ttt::tokenizers {
namespace {

// Special tokens are written either as "<s>" or as {"content": "<s>", ...}.
std::optional<std::string> TokenName(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJson(const std::string& text, const std::string& path) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": malformed JSON at byte ", e.byte, ": ", e.what(),
                                                   "; the file may be truncated or not JSON at all"));
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range: a number too large for a double (found by fuzzing, issue 20).
    return absl::InvalidArgumentError(absl::StrCat(path, ": invalid JSON: ", e.what()));
  }
}

absl::StatusOr<HfTokenizerConfig> ReadHfTokenizerConfig(const std::string& directory) {
  HfTokenizerConfig config;
  const std::string path = (std::filesystem::path(directory) / "tokenizer_config.json").string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return config;
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  TTT_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(text, path));
  if (!json.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a JSON object at the top level"));
  }
  auto name_of = [&](const char* key) -> std::optional<std::string> {
    if (!json.contains(key)) return std::nullopt;
    std::optional<std::string> name = TokenName(json[key]);
    if (name.has_value()) config.special_tokens.push_back(*name);
    return name;
  };
  config.bos_token = name_of("bos_token");
  config.eos_token = name_of("eos_token");
  config.unk_token = name_of("unk_token");
  name_of("pad_token");
  if (json.contains("add_bos_token") && json["add_bos_token"].is_boolean()) {
    config.add_bos_token = json["add_bos_token"].get<bool>();
  }
  if (json.contains("added_tokens_decoder") && json["added_tokens_decoder"].is_object()) {
    for (const auto& [id, token] : json["added_tokens_decoder"].items()) {
      const bool special = token.is_object() && token.contains("special") && token["special"].is_boolean() &&
                           token["special"].get<bool>();
      std::optional<std::string> name = TokenName(token);
      if (special && name.has_value()) config.special_tokens.push_back(*name);
    }
  }
  return config;
}

absl::Status ReadVocabObject(const nlohmann::json& object, const std::string& where, Vocabulary* vocab) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected an object mapping pieces to ids"));
  }
  for (const auto& [piece, id] : object.items()) {
    if (!id.is_number_integer()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the id of piece \"", piece, "\" is ", id.dump(), ", not an integer"));
    }
    TTT_RETURN_IF_ERROR(SetPiece(id.get<int64_t>() > INT32_MAX ? -1 : static_cast<int32_t>(id.get<int64_t>()),
                                 piece, TokenType::kNormal, where, vocab));
  }
  return absl::OkStatus();
}

absl::Status SetPiece(int32_t id, const std::string& piece, TokenType type, const std::string& where,
                      Vocabulary* vocab) {
  // Ids far beyond the number of pieces would make us allocate for a hostile file; real vocabularies are dense.
  if (id < 0 || id >= kMaxVocabSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": piece \"", piece, "\" has id ", id, ", outside 0..", kMaxVocabSize - 1));
  }
  if (static_cast<size_t>(id) >= vocab->pieces.size()) {
    vocab->pieces.resize(id + 1);
    vocab->types.resize(id + 1, TokenType::kUnused);
  }
  if (vocab->types[id] != TokenType::kUnused && vocab->pieces[id] != piece) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": id ", id, " is given to both \"", vocab->pieces[id],
                                                   "\" and \"", piece, "\""));
  }
  vocab->pieces[id] = piece;
  vocab->types[id] = type;
  return absl::OkStatus();
}

absl::Status ReadAddedTokens(const nlohmann::json& root, const std::string& path, Vocabulary* vocab) {
  if (!root.contains("added_tokens") || !root["added_tokens"].is_array()) return absl::OkStatus();
  for (const nlohmann::json& added : root["added_tokens"]) {
    if (!added.is_object() || !added.contains("id") || !added["id"].is_number_integer() ||
        !added.contains("content") || !added["content"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": added_tokens entry ", added.dump(), " lacks an integer id or a content string"));
    }
    const TokenType type = added.value("special", false) ? TokenType::kControl : TokenType::kUserDefined;
    TTT_RETURN_IF_ERROR(SetPiece(static_cast<int32_t>(std::clamp<int64_t>(added["id"].get<int64_t>(), -1, INT32_MAX)),
                                 added["content"].get<std::string>(), type, absl::StrCat(path, " added_tokens"),
                                 vocab));
  }
  return absl::OkStatus();
}

absl::Status UnsupportedTokenizerJson(const std::string& path, const std::string& what) {
  return absl::UnimplementedError(absl::StrCat(
      path, ": ", what,
      "; supported are BPE models (byte-level with Split/ByteLevel/Digits/Punctuation pre-tokenizers, or "
      "SentencePiece-like with '▁' and byte fallback), WordPiece with the BERT normalizer and pre-tokenizer, and "
      "SentencePiece Unigram with the Precompiled normalizer and WhitespaceSplit/Metaspace pre-tokenizers. If "
      "the model ships a GGUF or tokenizer.model, try that"));
}

std::vector<const nlohmann::json*> JsonComponents(const nlohmann::json& root, const char* key,
                                                  const char* sequence_key) {
  std::vector<const nlohmann::json*> out;
  if (!root.contains(key) || root[key].is_null()) return out;
  const nlohmann::json& node = root[key];
  if (node.is_object() && node.value("type", "") == "Sequence" && node.contains(sequence_key) &&
      node[sequence_key].is_array()) {
    for (const nlohmann::json& child : node[sequence_key]) out.push_back(&child);
  } else {
    out.push_back(&node);
  }
  return out;
}

void ResolveSpecialIds(const HfTokenizerConfig& config, Vocabulary* vocab) {
  auto find = [&](std::initializer_list<std::string> names) -> int32_t {
    for (const std::string& name : names) {
      for (size_t id = 0; id < vocab->pieces.size(); ++id) {
        if (vocab->types[id] != TokenType::kUnused && vocab->pieces[id] == name) return static_cast<int32_t>(id);
      }
    }
    return kNoToken;
  };
  vocab->bos_id = config.bos_token ? find({*config.bos_token}) : find({"<s>", "<|begin_of_text|>", "<|endoftext|>"});
  vocab->eos_id = config.eos_token ? find({*config.eos_token}) : find({"</s>", "<|end_of_text|>", "<|endoftext|>"});
}

}  // namespace ttt::tokenizers
