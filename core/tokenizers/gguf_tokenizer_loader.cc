// The tokenizer llama.cpp embeds in GGUF files (tokenizer.ggml.* keys).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/runtime/status.h"
#include "core/tokenizers/byte_level_bpe_tokenizer.h"
#include "core/tokenizers/merge_list.h"
#include "core/tokenizers/named_pretokenizers.h"
#include "core/tokenizers/spm_tokenizer.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/unigram_tokenizer.h"
#include "core/tokenizers/wordpiece_tokenizer.h"

namespace ttt::tokenizers {
namespace {

using formats::GgufFile;

absl::StatusOr<bool> BoolOr(const GgufFile& gguf, std::string_view key, bool fallback) {
  if (!gguf.Has(key)) return fallback;
  return gguf.GetBool(key);
}

// Special-token ids: an absent key keeps `fallback`; -1 and 0xFFFFFFFF (how converters write "none") mean none.
absl::StatusOr<int32_t> SpecialIdOr(const GgufFile& gguf, std::string_view key, int32_t fallback) {
  if (!gguf.Has(key)) return fallback;
  TTT_ASSIGN_OR_RETURN(int64_t id, gguf.GetInt(key));
  if (id == -1 || id == 0xFFFFFFFFll) return kNoToken;
  if (id < 0 || id > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(gguf.path(), ": ", std::string(key), " = ", id, " is not a token id"));
  }
  return static_cast<int32_t>(id);
}

absl::StatusOr<Vocabulary> ReadVocabulary(const GgufFile& gguf) {
  Vocabulary vocab;
  TTT_ASSIGN_OR_RETURN(vocab.pieces, gguf.GetStringArray("tokenizer.ggml.tokens"));
  const size_t n = vocab.pieces.size();
  vocab.types.assign(n, TokenType::kNormal);
  if (gguf.Has("tokenizer.ggml.token_type")) {
    TTT_ASSIGN_OR_RETURN(std::vector<int64_t> types, gguf.GetIntArray("tokenizer.ggml.token_type"));
    if (types.size() != n) {
      return absl::InvalidArgumentError(absl::StrCat(gguf.path(), ": tokenizer.ggml.token_type has ", types.size(),
                                                     " entries for ", n, " tokens; the file is inconsistent"));
    }
    for (size_t i = 0; i < n; ++i) {
      // 0 is llama.cpp's "undefined"; anything outside 1..6 is treated as a normal piece as llama.cpp does.
      if (types[i] >= 1 && types[i] <= 6) vocab.types[i] = static_cast<TokenType>(types[i]);
    }
  }
  return vocab;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadSpm(const GgufFile& gguf, Vocabulary vocab) {
  if (!gguf.Has("tokenizer.ggml.scores")) {
    return absl::InvalidArgumentError(absl::StrCat(
        gguf.path(), ": tokenizer.ggml.model is \"llama\" but tokenizer.ggml.scores is missing; SentencePiece "
                     "BPE merges by score; re-convert the model with llama.cpp's convert script"));
  }
  TTT_ASSIGN_OR_RETURN(std::vector<double> scores, gguf.GetFloatArray("tokenizer.ggml.scores"));
  if (scores.size() != vocab.pieces.size()) {
    return absl::InvalidArgumentError(absl::StrCat(gguf.path(), ": tokenizer.ggml.scores has ", scores.size(),
                                                   " entries for ", vocab.pieces.size(), " tokens"));
  }
  vocab.scores.assign(scores.begin(), scores.end());
  // llama.cpp's defaults for SentencePiece vocabularies when the keys are absent.
  TTT_ASSIGN_OR_RETURN(vocab.bos_id, SpecialIdOr(gguf, "tokenizer.ggml.bos_token_id", 1));
  TTT_ASSIGN_OR_RETURN(vocab.eos_id, SpecialIdOr(gguf, "tokenizer.ggml.eos_token_id", 2));
  TTT_ASSIGN_OR_RETURN(vocab.unk_id, SpecialIdOr(gguf, "tokenizer.ggml.unknown_token_id", 0));
  TTT_ASSIGN_OR_RETURN(vocab.add_bos_by_default, BoolOr(gguf, "tokenizer.ggml.add_bos_token", true));
  SpmOptions options;
  TTT_ASSIGN_OR_RETURN(bool add_space_prefix, BoolOr(gguf, "tokenizer.ggml.add_space_prefix", true));
  options.dummy_prefix = add_space_prefix ? DummyPrefix::kAfterEverySpecial : DummyPrefix::kNever;
  TTT_ASSIGN_OR_RETURN(options.remove_extra_whitespaces,
                       BoolOr(gguf, "tokenizer.ggml.remove_extra_whitespaces", false));
  TTT_ASSIGN_OR_RETURN(auto tokenizer, SpmTokenizer::Create(std::move(vocab), options, std::nullopt, gguf.path()));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

// The regexes of tokenizer.ggml.pre; like llama.cpp, a file without the key gets its "default" ones.
absl::StatusOr<NamedPreTokenizer> ReadPreTokenizer(const GgufFile& gguf) {
  std::string pre = "default";
  if (gguf.Has("tokenizer.ggml.pre")) {
    TTT_ASSIGN_OR_RETURN(pre, gguf.GetString("tokenizer.ggml.pre"));
  }
  std::optional<NamedPreTokenizer> named = FindNamedPreTokenizer(pre);
  if (!named.has_value()) {
    return absl::UnimplementedError(absl::StrCat(
        gguf.path(), ": tokenizer.ggml.pre is \"", pre, "\", a pre-tokenizer this library does not know (known: ",
        absl::StrJoin(NamedPreTokenizerNames(), ", "),
        "); another pre-tokenizer would give different tokens. If the model ships a tokenizer.json, load that"));
  }
  return *std::move(named);
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadByteLevel(const GgufFile& gguf, Vocabulary vocab) {
  TTT_ASSIGN_OR_RETURN(NamedPreTokenizer pre_tokenizer, ReadPreTokenizer(gguf));
  TTT_ASSIGN_OR_RETURN(std::vector<std::string> lines, gguf.GetStringArray("tokenizer.ggml.merges"));
  std::vector<PieceMerge> merges;
  merges.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    std::optional<PieceMerge> merge = SplitMergeLine(lines[i]);
    if (!merge.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(gguf.path(), ": tokenizer.ggml.merges[", i, "] = \"", lines[i],
                                                     "\" is not \"left right\""));
    }
    merges.push_back(*std::move(merge));
  }
  TTT_ASSIGN_OR_RETURN(MergeRankTable table,
                       BuildMergeTable(vocab.pieces, merges, absl::StrCat(gguf.path(), " tokenizer.ggml.merges")));
  TTT_ASSIGN_OR_RETURN(vocab.bos_id, SpecialIdOr(gguf, "tokenizer.ggml.bos_token_id", kNoToken));
  TTT_ASSIGN_OR_RETURN(vocab.eos_id, SpecialIdOr(gguf, "tokenizer.ggml.eos_token_id", kNoToken));
  TTT_ASSIGN_OR_RETURN(vocab.unk_id, SpecialIdOr(gguf, "tokenizer.ggml.unknown_token_id", kNoToken));
  TTT_ASSIGN_OR_RETURN(vocab.add_bos_by_default,
                       BoolOr(gguf, "tokenizer.ggml.add_bos_token", pre_tokenizer.add_bos));
  ByteLevelOptions options;
  options.split_rules = std::move(pre_tokenizer.rules);
  options.ignore_merges = pre_tokenizer.ignore_merges;
  TTT_ASSIGN_OR_RETURN(auto tokenizer, ByteLevelBpeTokenizer::Create(std::move(vocab), std::move(table),
                                                                     std::move(options), gguf.path()));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

// T5-style SentencePiece Unigram, as llama.cpp's llm_tokenizer_ugm reads it: scores are log probabilities,
// the normalization rules are the model's precompiled character map. Like llama.cpp, an absent
// add_space_prefix / remove_extra_whitespaces key means false, and T5 appends EOS rather than putting BOS.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadUnigram(const GgufFile& gguf, Vocabulary vocab) {
  if (!gguf.Has("tokenizer.ggml.scores")) {
    return absl::InvalidArgumentError(absl::StrCat(
        gguf.path(), ": tokenizer.ggml.model is \"t5\" but tokenizer.ggml.scores (the pieces' log probabilities) "
                     "is missing; re-convert the model with llama.cpp's convert script"));
  }
  TTT_ASSIGN_OR_RETURN(std::vector<double> scores, gguf.GetFloatArray("tokenizer.ggml.scores"));
  if (scores.size() != vocab.pieces.size()) {
    return absl::InvalidArgumentError(absl::StrCat(gguf.path(), ": tokenizer.ggml.scores has ", scores.size(),
                                                   " entries for ", vocab.pieces.size(), " tokens"));
  }
  vocab.scores.assign(scores.begin(), scores.end());
  TTT_ASSIGN_OR_RETURN(vocab.bos_id, SpecialIdOr(gguf, "tokenizer.ggml.bos_token_id", kNoToken));
  TTT_ASSIGN_OR_RETURN(vocab.eos_id, SpecialIdOr(gguf, "tokenizer.ggml.eos_token_id", 1));
  TTT_ASSIGN_OR_RETURN(vocab.unk_id, SpecialIdOr(gguf, "tokenizer.ggml.unknown_token_id", 2));
  TTT_ASSIGN_OR_RETURN(vocab.add_bos_by_default, BoolOr(gguf, "tokenizer.ggml.add_bos_token", false));
  vocab.add_bos_by_default = vocab.add_bos_by_default && vocab.bos_id != kNoToken;
  TTT_ASSIGN_OR_RETURN(vocab.add_eos_by_default, BoolOr(gguf, "tokenizer.ggml.add_eos_token", true));
  UnigramOptions options;
  TTT_ASSIGN_OR_RETURN(options.add_dummy_prefix, BoolOr(gguf, "tokenizer.ggml.add_space_prefix", false));
  TTT_ASSIGN_OR_RETURN(options.trim_whitespaces, BoolOr(gguf, "tokenizer.ggml.remove_extra_whitespaces", false));
  options.collapse_whitespaces = options.trim_whitespaces;
  // Byte pieces are honoured where the vocabulary has them (llama.cpp itself never falls back to bytes).
  options.byte_fallback = std::find(vocab.types.begin(), vocab.types.end(), TokenType::kByte) != vocab.types.end();
  if (gguf.Has("tokenizer.ggml.precompiled_charsmap")) {
    TTT_ASSIGN_OR_RETURN(std::vector<int64_t> values, gguf.GetIntArray("tokenizer.ggml.precompiled_charsmap"));
    std::string blob(values.size(), '\0');
    for (size_t i = 0; i < values.size(); ++i) blob[i] = static_cast<char>(values[i] & 0xFF);
    TTT_ASSIGN_OR_RETURN(options.charsmap,
                         PrecompiledCharsMap::Parse(blob, gguf.path() + " tokenizer.ggml.precompiled_charsmap"));
  }
  TTT_ASSIGN_OR_RETURN(auto tokenizer, UnigramTokenizer::Create(std::move(vocab), std::move(options), gguf.path()));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

// llama.cpp's converter spells BERT's word-start pieces "▁play" and continuations "ing" (HF: "play", "##ing"),
// and keeps no normalizer settings: it always lowercases and strips accents, as uncased BERT does.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadWordPiece(const GgufFile& gguf, Vocabulary vocab) {
  // BOS is [CLS]: llama.cpp reads the bos key; newer converters write only the cls key. The defaults are
  // llama.cpp's (BERT's [CLS] 101, [SEP] 102, [UNK] 100).
  const char* bos_key =
      gguf.Has("tokenizer.ggml.bos_token_id") ? "tokenizer.ggml.bos_token_id" : "tokenizer.ggml.cls_token_id";
  TTT_ASSIGN_OR_RETURN(vocab.bos_id, SpecialIdOr(gguf, bos_key, 101));
  TTT_ASSIGN_OR_RETURN(vocab.sep_id, SpecialIdOr(gguf, "tokenizer.ggml.seperator_token_id", 102));
  TTT_ASSIGN_OR_RETURN(vocab.unk_id, SpecialIdOr(gguf, "tokenizer.ggml.unknown_token_id", 100));
  TTT_ASSIGN_OR_RETURN(vocab.eos_id, SpecialIdOr(gguf, "tokenizer.ggml.eos_token_id", kNoToken));
  TTT_ASSIGN_OR_RETURN(vocab.add_bos_by_default, BoolOr(gguf, "tokenizer.ggml.add_bos_token", true));
  WordPieceOptions options;
  options.word_start_prefix = "\xE2\x96\x81";
  options.continuation_prefix = "";
  TTT_ASSIGN_OR_RETURN(auto tokenizer, WordPieceTokenizer::Create(std::move(vocab), options, gguf.path()));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromGguf(const GgufFile& gguf) {
  if (!gguf.Has("tokenizer.ggml.model")) {
    return absl::NotFoundError(absl::StrCat(gguf.path(),
                                            ": no tokenizer.ggml.model key, so no tokenizer is embedded; load the "
                                            "model's tokenizer.json or tokenizer.model instead"));
  }
  TTT_ASSIGN_OR_RETURN(std::string model, gguf.GetString("tokenizer.ggml.model"));
  if (model != "llama" && model != "gpt2" && model != "bert" && model != "t5") {
    return absl::UnimplementedError(absl::StrCat(gguf.path(), ": tokenizer.ggml.model \"", model,
                                                 "\" is not supported; supported: \"llama\" (SentencePiece BPE), "
                                                 "\"gpt2\" (byte-level BPE), \"bert\" (WordPiece), \"t5\" (SentencePiece Unigram)"));
  }
  TTT_ASSIGN_OR_RETURN(Vocabulary vocab, ReadVocabulary(gguf));
  if (model == "llama") return LoadSpm(gguf, std::move(vocab));
  if (model == "bert") return LoadWordPiece(gguf, std::move(vocab));
  if (model == "t5") return LoadUnigram(gguf, std::move(vocab));
  return LoadByteLevel(gguf, std::move(vocab));
}

}  // namespace ttt::tokenizers
