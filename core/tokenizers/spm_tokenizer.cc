#include "core/tokenizers/spm_tokenizer.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "core/runtime/status.h"
#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {
namespace {

constexpr char kSpaceMark[] = "\xE2\x96\x81";  // U+2581 '▁', SentencePiece's visible space

bool IsTextPiece(TokenType type) { return type == TokenType::kNormal || type == TokenType::kUserDefined; }

}  // namespace

// SentencePiece's merge order: a pair merges when the concatenated piece exists; the best score first.
class SpmTokenizer::ScoreRanker : public BpePairRanker {
 public:
  explicit ScoreRanker(const SpmTokenizer* tokenizer) : tokenizer_(tokenizer) {}
  bool Rank(std::string_view text, const BpeSymbol& left, const BpeSymbol& right, double* priority,
            int32_t* merged_id) const override {
    const int32_t id = tokenizer_->MergeablePiece(text.substr(left.start, left.length + right.length));
    if (id == kNoToken) return false;
    *priority = tokenizer_->vocab_.scores.empty() ? 0.0 : tokenizer_->vocab_.scores[id];
    *merged_id = id;
    return true;
  }

 private:
  const SpmTokenizer* tokenizer_;
};

absl::StatusOr<std::unique_ptr<SpmTokenizer>> SpmTokenizer::Create(Vocabulary vocab, SpmOptions options,
                                                                   std::optional<MergeRankTable> merges,
                                                                   std::string_view source) {
  TTT_RETURN_IF_ERROR(vocab.Validate(source));
  if (!merges.has_value() && vocab.scores.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source), ": a SentencePiece BPE vocabulary needs either piece scores or a merge list; neither was found"));
  }
  return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(vocab), options, std::move(merges)));
}

SpmTokenizer::SpmTokenizer(Vocabulary vocab, SpmOptions options, std::optional<MergeRankTable> merges)
    : Tokenizer(std::move(vocab)), options_(options), merges_(std::move(merges)) {
  if (!merges_.has_value()) score_ranker_ = std::make_unique<ScoreRanker>(this);
  byte_to_id_.fill(kNoToken);
  decoded_.resize(vocab_.pieces.size());
  for (int32_t id = 0; id < vocab_size(); ++id) {
    const std::string& piece = vocab_.pieces[id];
    switch (vocab_.types[id]) {
      case TokenType::kControl:
      case TokenType::kUnused:
        break;
      case TokenType::kByte: {
        const int byte = ParseBytePiece(piece);
        if (byte >= 0) {
          if (byte_to_id_[byte] == kNoToken) byte_to_id_[byte] = id;
          decoded_[id] = std::string(1, static_cast<char>(byte));
        } else {
          decoded_[id] = piece;
        }
        break;
      }
      default:
        decoded_[id] = options_.escape_whitespaces ? absl::StrReplaceAll(piece, {{kSpaceMark, " "}}) : piece;
    }
  }
}

SpmTokenizer::~SpmTokenizer() = default;

int32_t SpmTokenizer::MergeablePiece(std::string_view piece) const {
  const int32_t id = PieceToId(piece);
  return id != kNoToken && IsTextPiece(vocab_.types[id]) ? id : kNoToken;
}

std::string SpmTokenizer::Normalize(std::string_view fragment, FragmentPlace place) const {
  std::string text;
  if (options_.remove_extra_whitespaces) {
    bool pending_space = false;
    for (char c : fragment) {
      if (c == ' ') {
        pending_space = !text.empty();
        continue;
      }
      if (pending_space) text += ' ';
      pending_space = false;
      text += c;
    }
  } else {
    text.assign(fragment);
  }
  if (text.empty()) return text;
  const bool prefix = ((options_.dummy_prefix == DummyPrefix::kAfterEverySpecial && place.after_special) ||
                       (options_.dummy_prefix == DummyPrefix::kFirstFragment && place.at_text_start)) &&
                      !(options_.dummy_prefix_unless_leading_space && text[0] == ' ');
  if (prefix) {
    std::string prefixed;
    prefixed.reserve(text.size() + 1);
    prefixed.push_back(' ');
    prefixed.append(text);
    text.swap(prefixed);
  }
  if (options_.escape_whitespaces) text = absl::StrReplaceAll(text, {{" ", kSpaceMark}});
  return text;
}

absl::Status SpmTokenizer::EmitUnknown(std::string_view text, std::vector<int32_t>* out) const {
  if (options_.byte_fallback) {
    bool all_bytes = true;
    for (unsigned char c : text) all_bytes = all_bytes && byte_to_id_[c] != kNoToken;
    if (all_bytes) {
      for (unsigned char c : text) out->push_back(byte_to_id_[c]);
      return absl::OkStatus();
    }
  }
  if (vocab_.unk_id == kNoToken) {
    std::string hex;
    for (unsigned char c : text) absl::StrAppendFormat(&hex, "%02X", c);
    return absl::InvalidArgumentError(absl::StrCat(
        "the text holds a character (bytes ", hex,
        ") that no piece, byte token or unknown token of this vocabulary can represent; use a tokenizer "
        "with byte fallback or strip such characters"));
  }
  if (!(options_.fuse_unknown && !out->empty() && out->back() == vocab_.unk_id)) out->push_back(vocab_.unk_id);
  return absl::OkStatus();
}

absl::Status SpmTokenizer::EncodeFragment(std::string_view fragment, FragmentPlace place,
                                          std::vector<int32_t>* out) const {
  const std::string text = Normalize(fragment, place);
  if (text.size() > UINT32_MAX) return absl::InvalidArgumentError("text longer than 4 GiB");
  std::vector<BpeSymbol> symbols;
  symbols.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = Utf8CharLength(text, pos);
    const std::string_view character(text.data() + pos, length);
    const int32_t id = merges_.has_value() ? PieceToId(character) : MergeablePiece(character);
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(length), id});
    pos += length;
  }
  if (merges_.has_value()) {
    BpeMerge(text, *merges_, &symbols);
  } else {
    BpeMerge(text, *score_ranker_, &symbols);
  }
  for (const BpeSymbol& symbol : symbols) {
    if (symbol.id != kNoToken) {
      out->push_back(symbol.id);
    } else {
      TTT_RETURN_IF_ERROR(EmitUnknown(std::string_view(text).substr(symbol.start, symbol.length), out));
    }
  }
  return absl::OkStatus();
}

std::string SpmTokenizer::DecodeToken(int32_t id, int32_t previous) const {
  if (!InRange(id)) return {};
  const std::string& text = decoded_[id];
  // The dummy prefix the encoder added is not part of the text: drop it at the start and after BOS.
  const bool at_start = previous == kNoToken || (previous == vocab_.bos_id && previous != kNoToken);
  if (options_.dummy_prefix != DummyPrefix::kNever && at_start && IsTextPiece(vocab_.types[id]) &&
      !text.empty() && text[0] == ' ') {
    return text.substr(1);
  }
  return text;
}

}  // namespace ttt::tokenizers
