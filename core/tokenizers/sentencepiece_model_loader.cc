// SentencePiece's tokenizer.model / spiece.model: a serialized ModelProto (see sentencepiece_model.proto),
// model type BPE (SpmTokenizer) or UNIGRAM (UnigramTokenizer).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/tokenizers/sentencepiece_model.pb.h"
#include "core/tokenizers/spm_tokenizer.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/unigram_tokenizer.h"

namespace ttt::tokenizers {
namespace {

TokenType ToTokenType(sentencepiece::ModelProto::SentencePiece::Type type) {
  using Piece = sentencepiece::ModelProto::SentencePiece;
  switch (type) {
    case Piece::UNKNOWN: return TokenType::kUnknown;
    case Piece::CONTROL: return TokenType::kControl;
    case Piece::USER_DEFINED: return TokenType::kUserDefined;
    case Piece::UNUSED: return TokenType::kUnused;
    case Piece::BYTE: return TokenType::kByte;
    default: return TokenType::kNormal;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadSentencePieceModel(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  sentencepiece::ModelProto model;
  if (!model.ParseFromString(data) || model.pieces_size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a SentencePiece model (", data.size(),
        " bytes do not parse as a ModelProto with pieces); tokenizer.model files are written by SentencePiece"));
  }
  const auto& trainer = model.trainer_spec();
  const bool unigram = trainer.model_type() == sentencepiece::TrainerSpec::UNIGRAM;
  if (trainer.model_type() != sentencepiece::TrainerSpec::BPE && !unigram) {
    return absl::UnimplementedError(absl::StrCat(
        path, ": SentencePiece model type ", sentencepiece::TrainerSpec::ModelType_Name(trainer.model_type()),
        " is not supported, only BPE and UNIGRAM; a tokenizer.json of the same model may be loadable instead"));
  }
  const auto& normalizer = model.normalizer_spec();
  const bool identity = !normalizer.has_name() || normalizer.name() == "identity";
  if (!unigram && (!normalizer.precompiled_charsmap().empty() || !identity)) {
    return absl::UnimplementedError(absl::StrCat(
        path, ": normalizer \"", normalizer.name(),
        "\" rewrites text with a precompiled character map, which is supported for UNIGRAM models only (this is "
        "BPE); use the model's tokenizer.json or GGUF instead"));
  }
  if (unigram && normalizer.precompiled_charsmap().empty() && !identity) {
    return absl::UnimplementedError(absl::StrCat(
        path, ": normalizer \"", normalizer.name(),
        "\" has no precompiled character map in the file, so its rules are unknown; re-save the model with "
        "SentencePiece (which stores the map) or use its tokenizer.json"));
  }
  if (trainer.treat_whitespace_as_suffix()) {
    return absl::UnimplementedError(
        absl::StrCat(path, ": treat_whitespace_as_suffix is not supported (only the usual '▁' prefix)"));
  }
  Vocabulary vocab;
  const int n = model.pieces_size();
  vocab.pieces.reserve(n);
  for (const auto& piece : model.pieces()) {
    vocab.pieces.push_back(piece.piece());
    vocab.scores.push_back(piece.score());
    vocab.types.push_back(ToTokenType(piece.type()));
  }
  // SentencePiece marks an unused special id with -1; an id beyond the pieces is a broken file.
  auto id_or_none = [&](int32_t id) { return id >= 0 ? id : kNoToken; };
  vocab.unk_id = id_or_none(trainer.unk_id());
  vocab.bos_id = id_or_none(trainer.bos_id());
  vocab.eos_id = id_or_none(trainer.eos_id());
  vocab.add_bos_by_default = vocab.bos_id != kNoToken;

  if (unigram) {
    // SentencePiece takes the unknown id from the piece typed UNKNOWN.
    const auto unknown = std::find(vocab.types.begin(), vocab.types.end(), TokenType::kUnknown);
    if (unknown != vocab.types.end()) vocab.unk_id = static_cast<int32_t>(unknown - vocab.types.begin());
    UnigramOptions options;
    options.add_dummy_prefix = normalizer.add_dummy_prefix();
    options.trim_whitespaces = options.collapse_whitespaces = normalizer.remove_extra_whitespaces();
    options.escape_whitespaces = normalizer.escape_whitespaces();
    options.byte_fallback = trainer.byte_fallback();
    TTT_ASSIGN_OR_RETURN(options.charsmap, PrecompiledCharsMap::Parse(normalizer.precompiled_charsmap(),
                                                                      path + " normalizer_spec.precompiled_charsmap"));
    // SentencePiece's own Encode adds neither BOS nor EOS; T5-style models (EOS, no BOS) get EOS appended by
    // their tooling (HF's post-processor, llama.cpp's add_eos_token), and so here.
    vocab.add_bos_by_default = false;
    vocab.add_eos_by_default = vocab.bos_id == kNoToken && vocab.eos_id != kNoToken;
    TTT_ASSIGN_OR_RETURN(auto tokenizer, UnigramTokenizer::Create(std::move(vocab), std::move(options), path));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }
  SpmOptions options;
  options.dummy_prefix = normalizer.add_dummy_prefix() ? DummyPrefix::kAfterEverySpecial : DummyPrefix::kNever;
  options.remove_extra_whitespaces = normalizer.remove_extra_whitespaces();
  options.escape_whitespaces = normalizer.escape_whitespaces();
  options.byte_fallback = trainer.byte_fallback();
  TTT_ASSIGN_OR_RETURN(auto tokenizer, SpmTokenizer::Create(std::move(vocab), options, std::nullopt, path));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace ttt::tokenizers
