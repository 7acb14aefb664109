// HF tokenizers' tokenizer.json: BPE models in their two common shapes, byte-level (GPT-2, Llama 3, Qwen2...:
// a ByteLevel pre-tokenizer, often after Split regexes) and SentencePiece-like (Llama: '▁' normalizer or
// Metaspace pre-tokenizer, byte fallback); and WordPiece (BERT). Anything else (other models, normalizers or
// pre-tokenizers) is refused by name rather than tokenized wrongly.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/tokenizers/byte_level_bpe_tokenizer.h"
#include "core/tokenizers/hf_common.h"
#include "core/tokenizers/hf_components.h"
#include "core/tokenizers/hf_unigram_loader.h"
#include "core/tokenizers/merge_list.h"
#include "core/tokenizers/spm_tokenizer.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/wordpiece_tokenizer.h"

namespace ttt::tokenizers {
namespace {

using json = nlohmann::json;
constexpr char kSpaceMark[] = "\xE2\x96\x81";

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
  for (const json* n : JsonComponents(root, "normalizer", "normalizers")) {
    const std::string type = n->value("type", "");
    if (type == "Prepend" && n->value("prepend", "") == kSpaceMark) {
      options.dummy_prefix = DummyPrefix::kAfterEverySpecial;
    } else if (type == "Replace" && n->contains("pattern") && (*n)["pattern"].value("String", "") == " " &&
               n->value("content", "") == kSpaceMark) {
      options.escape_whitespaces = true;
    } else {
      return UnsupportedTokenizerJson(path, absl::StrCat("normalizer ", n->dump(), " is not supported"));
    }
  }
  for (const json* p : JsonComponents(root, "pre_tokenizer", "pretokenizers")) {
    if (p->value("type", "") != "Metaspace" || p->value("replacement", std::string(kSpaceMark)) != kSpaceMark ||
        p->value("split", false)) {
      return UnsupportedTokenizerJson(path, absl::StrCat("pre-tokenizer ", p->dump(), " is not supported"));
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
    return UnsupportedTokenizerJson(path, "a BPE model that is neither byte-level nor maps spaces to '▁'");
  }
  options.byte_fallback = model.value("byte_fallback", false);
  options.fuse_unknown = model.value("fuse_unk", false);
  return options;
}

// The special tokens the post-processor puts around a single text: BERT's [CLS] ... [SEP], Llama's <s> ....
struct TemplateSpecials {
  std::optional<std::string> first, last;
};

TemplateSpecials ReadTemplateSpecials(const json& root) {
  TemplateSpecials specials;
  for (const json* p : JsonComponents(root, "post_processor", "processors")) {
    const std::string type = p->value("type", "");
    if (type == "TemplateProcessing" && p->contains("single") && (*p)["single"].is_array() &&
        !(*p)["single"].empty()) {
      const json& single = (*p)["single"];
      auto special_name = [](const json& item) -> std::optional<std::string> {
        if (!item.contains("SpecialToken") || !item["SpecialToken"].contains("id")) return std::nullopt;
        return item["SpecialToken"]["id"].get<std::string>();
      };
      specials.first = special_name(single.front());
      if (single.size() > 1) specials.last = special_name(single.back());
    } else if ((type == "BertProcessing" || type == "RobertaProcessing") && p->contains("cls") && p->contains("sep")) {
      specials.first = (*p)["cls"][0].get<std::string>();  // ["[CLS]", 101]
      specials.last = (*p)["sep"][0].get<std::string>();
    }
  }
  return specials;
}

int32_t FindPiece(const Vocabulary& vocab, const std::string& piece) {
  for (size_t id = 0; id < vocab.pieces.size(); ++id) {
    if (vocab.types[id] != TokenType::kUnused && vocab.pieces[id] == piece) return static_cast<int32_t>(id);
  }
  return kNoToken;
}

// model.vocab, added_tokens, the unknown token and bos/eos (tokenizer_config.json beside the file first).
absl::StatusOr<Vocabulary> ReadVocabulary(const json& root, const json& model, const std::string& path) {
  Vocabulary vocab;
  if (!model.contains("vocab")) return absl::InvalidArgumentError(absl::StrCat(path, ": model.vocab is missing"));
  TTT_RETURN_IF_ERROR(ReadVocabObject(model["vocab"], absl::StrCat(path, " model.vocab"), &vocab));
  TTT_RETURN_IF_ERROR(ReadAddedTokens(root, path, &vocab));
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    vocab.unk_id = FindPiece(vocab, model["unk_token"].get<std::string>());
    if (vocab.unk_id != kNoToken) vocab.types[vocab.unk_id] = TokenType::kUnknown;
  }
  const std::string directory = std::filesystem::path(path).parent_path().string();
  TTT_ASSIGN_OR_RETURN(HfTokenizerConfig config, ReadHfTokenizerConfig(directory.empty() ? "." : directory));
  ResolveSpecialIds(config, &vocab);
  // Whether the model's own post-processor puts BOS first, unless tokenizer_config.json says.
  vocab.add_bos_by_default =
      config.add_bos_token.value_or(ReadTemplateSpecials(root).first.has_value()) && vocab.bos_id != kNoToken;
  return vocab;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadBpe(const json& root, const json& model, Vocabulary vocab,
                                                   const std::string& path) {
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty()) {
      return UnsupportedTokenizerJson(path, absl::StrCat("model.", key, " is not supported"));
    }
  }
  TTT_ASSIGN_OR_RETURN(std::vector<PieceMerge> merges, ReadMerges(model, path));
  TTT_ASSIGN_OR_RETURN(MergeRankTable table,
                       BuildMergeTable(vocab.pieces, merges, absl::StrCat(path, " model.merges")));

  TTT_ASSIGN_OR_RETURN(std::optional<ByteLevelOptions> byte_level, ReadByteLevelOptions(root, path));
  if (byte_level.has_value()) {
    byte_level->ignore_merges = model.value("ignore_merges", false);
    TTT_ASSIGN_OR_RETURN(auto tokenizer, ByteLevelBpeTokenizer::Create(std::move(vocab), std::move(table),
                                                                       *std::move(byte_level), path));
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

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadWordPiece(const json& root, Vocabulary vocab,
                                                         const std::string& path) {
  TTT_ASSIGN_OR_RETURN(WordPieceOptions options, ReadWordPieceOptions(root, path));
  // BERT's post-processor frames the text: [CLS] is the BOS, [SEP] follows the text.
  const TemplateSpecials specials = ReadTemplateSpecials(root);
  if (specials.first.has_value()) vocab.bos_id = FindPiece(vocab, *specials.first);
  if (specials.last.has_value()) vocab.sep_id = FindPiece(vocab, *specials.last);
  vocab.add_bos_by_default = vocab.bos_id != kNoToken;
  TTT_ASSIGN_OR_RETURN(auto tokenizer, WordPieceTokenizer::Create(std::move(vocab), std::move(options), path));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadFromJson(const json& root, const std::string& path) {
  if (!root.is_object() || !root.contains("model") || !root["model"].is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": no \"model\" object; this is not an HF tokenizers file (tokenizer.json)"));
  }
  const json& model = root["model"];
  const std::string type = model.value("type", model.contains("merges") ? "BPE" : "");
  if (type == "Unigram") return LoadHfUnigram(root, path);
  if (type != "BPE" && type != "WordPiece") {
    return UnsupportedTokenizerJson(path, absl::StrCat("model.type \"", type, "\" is not supported"));
  }
  TTT_ASSIGN_OR_RETURN(Vocabulary vocab, ReadVocabulary(root, model, path));
  if (type == "WordPiece") return LoadWordPiece(root, std::move(vocab), path);
  return LoadBpe(root, model, std::move(vocab), path);
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
