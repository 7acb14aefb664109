// HF's Unigram model and the components its SentencePiece converter puts around it, mapped onto
// UnigramTokenizer's options. Two layouts exist:
//   older: normalizer Precompiled; pre-tokenizers WhitespaceSplit + Metaspace(add_prefix_space) -- the text is
//          cut at whitespace, so spaces are trimmed and collapsed as SentencePiece's remove_extra_whitespaces;
//   newer: normalizers Precompiled + Replace(" {2,}" -> " "); pre-tokenizer Metaspace(prepend_scheme, split) --
//          runs collapse but a leading or trailing space stays (where HF and SentencePiece differ).
// Either way each '▁'-started word is segmented on its own. Other components are refused by name.
#include "core/tokenizers/hf_unigram_loader.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "core/tokenizers/hf_common.h"
#include "core/tokenizers/unigram_tokenizer.h"

namespace ttt::tokenizers {
namespace {

using json = nlohmann::json;
constexpr char kSpaceMark[] = "\xE2\x96\x81";

absl::Status ReadNormalizers(const json& root, const std::string& path, UnigramOptions* options, bool* collapse) {
  for (const json* n : JsonComponents(root, "normalizer", "normalizers")) {
    const std::string type = n->value("type", "");
    if (type == "Precompiled") {
      const std::string encoded = n->value("precompiled_charsmap", "");
      std::string blob;
      if (!absl::Base64Unescape(encoded, &blob)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": normalizer Precompiled's precompiled_charsmap is not valid base64"));
      }
      TTT_ASSIGN_OR_RETURN(options->charsmap, PrecompiledCharsMap::Parse(blob, path + " precompiled_charsmap"));
    } else if (type == "Replace" && n->contains("pattern") && (*n)["pattern"].is_object() &&
               (*n)["pattern"].value("Regex", "") == " {2,}" && n->value("content", "") == " ") {
      *collapse = true;
    } else {
      return UnsupportedTokenizerJson(path, absl::StrCat("normalizer ", n->dump(), " with a Unigram model"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadPreTokenizers(const json& root, const std::string& path, UnigramOptions* options) {
  bool whitespace_split = false, metaspace = false;
  for (const json* p : JsonComponents(root, "pre_tokenizer", "pretokenizers")) {
    const std::string type = p->value("type", "");
    if (type == "WhitespaceSplit" && !metaspace) {
      whitespace_split = true;
    } else if (type == "Metaspace" && p->value("replacement", std::string(kSpaceMark)) == kSpaceMark &&
               p->value("split", true) && !metaspace) {
      metaspace = true;
      std::string scheme = p->value("prepend_scheme", "");
      if (scheme.empty()) scheme = p->value("add_prefix_space", true) ? "always" : "never";
      if (scheme == "first") {
        return UnsupportedTokenizerJson(path, "Metaspace prepend_scheme \"first\" with a Unigram model");
      }
      options->add_dummy_prefix = scheme == "always";
    } else {
      return UnsupportedTokenizerJson(path, absl::StrCat("pre-tokenizer ", p->dump(), " with a Unigram model"));
    }
  }
  if (!metaspace) {
    return UnsupportedTokenizerJson(path, "a Unigram model without a Metaspace pre-tokenizer (spaces as '▁')");
  }
  options->split_words = true;
  options->escape_whitespaces = true;
  // Cutting at whitespace trims and collapses; Metaspace alone keeps spaces and adds no second '▁'.
  options->trim_whitespaces = options->collapse_whitespaces = whitespace_split;
  options->dummy_prefix_unless_leading_space = !whitespace_split;
  return absl::OkStatus();
}

// Whether the post-processor's single-text template ends with the special token `eos` (T5: [A, </s>]).
bool PostProcessorAppends(const json& root, const std::string& eos) {
  if (eos.empty()) return false;
  for (const json* p : JsonComponents(root, "post_processor", "processors")) {
    if (p->value("type", "") != "TemplateProcessing" || !p->contains("single") || !(*p)["single"].is_array() ||
        (*p)["single"].empty()) {
      continue;
    }
    const json& last = (*p)["single"].back();
    if (last.is_object() && last.contains("SpecialToken") && last["SpecialToken"].is_object() &&
        last["SpecialToken"].value("id", "") == eos) {
      return true;
    }
  }
  return false;
}

// model.vocab is [[piece, score], ...] in id order; added_tokens may add ids past it (T5's <extra_id_*>).
absl::StatusOr<Vocabulary> ReadVocabulary(const json& root, const json& model, const std::string& path) {
  Vocabulary vocab;
  if (!model.contains("vocab") || !model["vocab"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": model.vocab of a Unigram model must be an array of "
                                                         "[piece, score] pairs"));
  }
  const json& entries = model["vocab"];
  for (size_t id = 0; id < entries.size(); ++id) {
    const json& e = entries[id];
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": model.vocab[", id, "] = ", e.dump(), " is not a [piece, score] pair"));
    }
    // A score is a log-probability; a double beyond float's range does not convert (undefined behaviour).
    const double score = e[1].get<double>();
    if (!(std::abs(score) <= std::numeric_limits<float>::max())) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": model.vocab[", id, "] has score ", e[1].dump(), ", not a finite float"));
    }
    vocab.pieces.push_back(e[0].get<std::string>());
    vocab.scores.push_back(static_cast<float>(score));
    vocab.types.push_back(TokenType::kNormal);
  }
  // An added token that is also a model piece (T5's <pad>, </s>, <unk>) keeps its place and score.
  TTT_RETURN_IF_ERROR(ReadAddedTokens(root, path, &vocab));
  vocab.scores.resize(vocab.pieces.size(), 0.0f);
  if (!model.contains("unk_id") || !model["unk_id"].is_number_integer()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the Unigram model has no integer unk_id; HF needs it for characters no piece covers"));
  }
  const int64_t unk = model["unk_id"].get<int64_t>();
  if (unk < 0 || unk >= static_cast<int64_t>(vocab.pieces.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": model.unk_id ", unk, " is outside the vocabulary of ", vocab.pieces.size()));
  }
  vocab.unk_id = static_cast<int32_t>(unk);
  vocab.types[unk] = TokenType::kUnknown;
  if (model.value("byte_fallback", false)) {
    for (size_t id = 0; id < vocab.pieces.size(); ++id) {
      const std::string& piece = vocab.pieces[id];
      if (vocab.types[id] == TokenType::kNormal && ParseBytePiece(piece) >= 0) {
        vocab.types[id] = TokenType::kByte;
      }
    }
  }
  const std::string directory = std::filesystem::path(path).parent_path().string();
  TTT_ASSIGN_OR_RETURN(HfTokenizerConfig config, ReadHfTokenizerConfig(directory.empty() ? "." : directory));
  ResolveSpecialIds(config, &vocab);
  // T5-style models put no BOS (their post-processor appends </s>); only an explicit config asks for one.
  vocab.add_bos_by_default = config.add_bos_token.value_or(false) && vocab.bos_id != kNoToken;
  vocab.add_eos_by_default = PostProcessorAppends(root, vocab.eos_id >= 0 ? vocab.pieces[vocab.eos_id] : "");
  return vocab;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadHfUnigram(const json& root, const std::string& path) {
  const json& model = root["model"];
  TTT_ASSIGN_OR_RETURN(Vocabulary vocab, ReadVocabulary(root, model, path));
  UnigramOptions options;
  options.byte_fallback = model.value("byte_fallback", false);
  bool collapse = false;
  TTT_RETURN_IF_ERROR(ReadNormalizers(root, path, &options, &collapse));
  TTT_RETURN_IF_ERROR(ReadPreTokenizers(root, path, &options));
  options.collapse_whitespaces = options.collapse_whitespaces || collapse;
  TTT_ASSIGN_OR_RETURN(auto tokenizer, UnigramTokenizer::Create(std::move(vocab), std::move(options), path));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace ttt::tokenizers
