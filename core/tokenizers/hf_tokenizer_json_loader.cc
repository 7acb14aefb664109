// HF tokenizers' tokenizer.json with a BPE model, in its two common shapes: byte-level (GPT-2: ByteLevel
// pre-tokenizer) and SentencePiece-like (Llama: '▁' normalizer or Metaspace pre-tokenizer, byte fallback).
// Anything else (other models, normalizers or regexes) is refused by name rather than tokenized wrongly.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/tokenizers/byte_level_bpe_tokenizer.h"
#include "core/tokenizers/hf_common.h"
#include "core/tokenizers/merge_list.h"
#include "core/tokenizers/spm_tokenizer.h"
#include "core/tokenizers/tokenizer_loader.h"

namespace ttt::tokenizers {
namespace {

using json = nlohmann::json;
constexpr char kSpaceMark[] = "\xE2\x96\x81";

absl::Status Unsupported(const std::string& path, const std::string& what) {
  return absl::UnimplementedError(absl::StrCat(
      path, ": ", what,
      "; supported are BPE models that are byte-level (GPT-2) or SentencePiece-like (Prepend/Replace '▁' or "
      "Metaspace, byte fallback). If the model ships a GGUF or tokenizer.model, try that"));
}

// root[key] and the members of a "Sequence" of such components, flattened; pointers into `root`.
std::vector<const json*> Components(const json& root, const char* key, const char* sequence_key) {
  std::vector<const json*> out;
  if (!root.contains(key) || root[key].is_null()) return out;
  const json& node = root[key];
  if (node.is_object() && node.value("type", "") == "Sequence" && node.contains(sequence_key) &&
      node[sequence_key].is_array()) {
    for (const json& child : node[sequence_key]) out.push_back(&child);
  } else {
    out.push_back(&node);
  }
  return out;
}

absl::StatusOr<std::vector<PieceMerge>> ReadMerges(const json& model, const std::string& path) {
  std::vector<PieceMerge> merges;
  if (!model.contains("merges")) return merges;
  if (!model["merges"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": model.merges is not an array"));
  }
  for (size_t i = 0; i < model["merges"].size(); ++i) {
    const json& m = model["merges"][i];
    std::optional<PieceMerge> merge;
    if (m.is_string()) {
      merge = SplitMergeLine(m.get<std::string>());
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      merge = PieceMerge{m[0].get<std::string>(), m[1].get<std::string>()};
    }
    if (!merge.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": model.merges[", i, "] = ", m.dump(),
                                                     " is neither \"left right\" nor [\"left\", \"right\"]"));
    }
    merges.push_back(*std::move(merge));
  }
  return merges;
}

// The SentencePiece-like whitespace handling, from the normalizer and pre-tokenizer.
absl::StatusOr<SpmOptions> ReadSpmOptions(const json& root, const json& model, const std::string& path) {
  SpmOptions options;
  options.dummy_prefix = DummyPrefix::kNever;
  options.escape_whitespaces = false;
  for (const json* n : Components(root, "normalizer", "normalizers")) {
    const std::string type = n->value("type", "");
    if (type == "Prepend" && n->value("prepend", "") == kSpaceMark) {
      options.dummy_prefix = DummyPrefix::kAfterEverySpecial;
    } else if (type == "Replace" && n->contains("pattern") && (*n)["pattern"].value("String", "") == " " &&
               n->value("content", "") == kSpaceMark) {
      options.escape_whitespaces = true;
    } else {
      return Unsupported(path, absl::StrCat("normalizer ", n->dump(), " is not supported"));
    }
  }
  for (const json* p : Components(root, "pre_tokenizer", "pretokenizers")) {
    if (p->value("type", "") != "Metaspace" || p->value("replacement", std::string(kSpaceMark)) != kSpaceMark ||
        p->value("split", false)) {
      return Unsupported(path, absl::StrCat("pre-tokenizer ", p->dump(), " is not supported"));
    }
    options.escape_whitespaces = true;
    options.dummy_prefix_unless_leading_space = true;
    std::string scheme = p->value("prepend_scheme", "");
    if (scheme.empty()) scheme = p->value("add_prefix_space", true) ? "always" : "never";
    options.dummy_prefix = scheme == "always"  ? DummyPrefix::kAfterEverySpecial
                           : scheme == "first" ? DummyPrefix::kFirstFragment
                                               : DummyPrefix::kNever;
  }
  if (!options.escape_whitespaces) {
    return Unsupported(path, "a BPE model that is neither byte-level nor maps spaces to '▁'");
  }
  options.byte_fallback = model.value("byte_fallback", false);
  options.fuse_unknown = model.value("fuse_unk", false);
  return options;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadFromJson(const json& root, const std::string& path) {
  if (!root.is_object() || !root.contains("model") || !root["model"].is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": no \"model\" object; this is not an HF tokenizers file (tokenizer.json)"));
  }
  const json& model = root["model"];
  const std::string type = model.value("type", model.contains("merges") ? "BPE" : "");
  if (type != "BPE") {
    return Unsupported(path, absl::StrCat("model.type \"", type, "\" is not supported (only BPE)"));
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty()) {
      return Unsupported(path, absl::StrCat("model.", key, " is not supported"));
    }
  }
  Vocabulary vocab;
  if (!model.contains("vocab")) return absl::InvalidArgumentError(absl::StrCat(path, ": model.vocab is missing"));
  TTT_RETURN_IF_ERROR(ReadVocabObject(model["vocab"], absl::StrCat(path, " model.vocab"), &vocab));
  TTT_ASSIGN_OR_RETURN(std::vector<PieceMerge> merges, ReadMerges(model, path));
  TTT_ASSIGN_OR_RETURN(MergeRankTable table, BuildMergeTable(vocab.pieces, merges, absl::StrCat(path, " model.merges")));

  if (root.contains("added_tokens") && root["added_tokens"].is_array()) {
    for (const json& added : root["added_tokens"]) {
      if (!added.is_object() || !added.contains("id") || !added["id"].is_number_integer() ||
          !added.contains("content") || !added["content"].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": added_tokens entry ", added.dump(), " lacks an integer id or a content string"));
      }
      const bool special = added.value("special", false);
      TTT_RETURN_IF_ERROR(SetPiece(static_cast<int32_t>(std::clamp<int64_t>(added["id"].get<int64_t>(), -1, INT32_MAX)),
                                   added["content"].get<std::string>(),
                                   special ? TokenType::kControl : TokenType::kUserDefined,
                                   absl::StrCat(path, " added_tokens"), &vocab));
    }
  }
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    const std::string unk = model["unk_token"].get<std::string>();
    for (size_t id = 0; id < vocab.pieces.size(); ++id) {
      if (vocab.pieces[id] == unk && vocab.types[id] != TokenType::kUnused) {
        vocab.unk_id = static_cast<int32_t>(id);
        vocab.types[id] = TokenType::kUnknown;
        break;
      }
    }
  }
  const std::string directory = std::filesystem::path(path).parent_path().string();
  TTT_ASSIGN_OR_RETURN(HfTokenizerConfig config, ReadHfTokenizerConfig(directory.empty() ? "." : directory));
  ResolveSpecialIds(config, &vocab);
  // Whether the model's own post-processor puts BOS first ("TemplateProcessing" starting with a special).
  bool template_adds_bos = false;
  if (root.contains("post_processor") && root["post_processor"].is_object() &&
      root["post_processor"].value("type", "") == "TemplateProcessing" &&
      root["post_processor"].contains("single") && root["post_processor"]["single"].is_array() &&
      !root["post_processor"]["single"].empty()) {
    template_adds_bos = root["post_processor"]["single"][0].contains("SpecialToken");
  }
  vocab.add_bos_by_default = config.add_bos_token.value_or(template_adds_bos) && vocab.bos_id != kNoToken;

  bool byte_level = false;
  ByteLevelOptions byte_level_options;
  for (const json* p : Components(root, "pre_tokenizer", "pretokenizers")) {
    if (p->value("type", "") != "ByteLevel") continue;
    byte_level = true;
    if (!p->value("use_regex", true)) {
      return Unsupported(path, "a ByteLevel pre-tokenizer without the GPT-2 regex (a custom Split regex)");
    }
    byte_level_options.add_prefix_space = p->value("add_prefix_space", false);
  }
  if (byte_level) {
    if (Components(root, "pre_tokenizer", "pretokenizers").size() != 1) {
      return Unsupported(path, "a pre-tokenizer sequence around ByteLevel (another regex than GPT-2's)");
    }
    if (!root.value("normalizer", json()).is_null()) {
      return Unsupported(path, absl::StrCat("normalizer ", root["normalizer"].dump(), " on a byte-level model"));
    }
    TTT_ASSIGN_OR_RETURN(auto tokenizer, ByteLevelBpeTokenizer::Create(std::move(vocab), std::move(table),
                                                                       byte_level_options, path));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }

  TTT_ASSIGN_OR_RETURN(SpmOptions options, ReadSpmOptions(root, model, path));
  if (options.byte_fallback) {
    for (size_t id = 0; id < vocab.pieces.size(); ++id) {
      const std::string& piece = vocab.pieces[id];
      if (vocab.types[id] == TokenType::kNormal && piece.size() == 6 && piece.rfind("<0x", 0) == 0 &&
          piece[5] == '>') {
        vocab.types[id] = TokenType::kByte;
      }
    }
  }
  TTT_ASSIGN_OR_RETURN(auto tokenizer, SpmTokenizer::Create(std::move(vocab), options, std::move(table), path));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadHfTokenizerJson(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  TTT_ASSIGN_OR_RETURN(json root, ParseJson(text, path));
  try {
    return LoadFromJson(root, path);
  } catch (const json::exception& e) {
    // A value of the wrong JSON type somewhere the checks above did not look.
    return absl::InvalidArgumentError(absl::StrCat(path, ": unexpected structure: ", e.what()));
  }
}

}  // namespace ttt::tokenizers
