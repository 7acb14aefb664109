#include "core/tokenizers/tokenizer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::tokenizers {

absl::Status Vocabulary::Validate(std::string_view source) const {
  if (pieces.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(source), ": the vocabulary is empty; check that the file really is a tokenizer"));
  }
  if (types.size() != pieces.size() || (!scores.empty() && scores.size() != pieces.size())) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": ", pieces.size(), " pieces but ", types.size(),
                                                   " token types and ", scores.size(),
                                                   " scores; the arrays must have one entry per token"));
  }
  const int64_t n = static_cast<int64_t>(pieces.size());
  for (auto [name, id] :
       {std::pair<const char*, int32_t>{"bos", bos_id}, {"eos", eos_id}, {"unk", unk_id}, {"sep", sep_id}}) {
    if (id != kNoToken && (id < 0 || id >= n)) {
      return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": ", name, " token id ", id,
                                                     " is outside the vocabulary of ", n, " tokens"));
    }
  }
  return absl::OkStatus();
}

Tokenizer::Tokenizer(Vocabulary vocab) : vocab_(std::move(vocab)) {
  piece_to_id_.reserve(vocab_.pieces.size());
  for (int32_t id = 0; id < vocab_size(); ++id) {
    piece_to_id_.try_emplace(vocab_.pieces[id], id);  // the first spelling of a duplicated piece wins
    const TokenType type = vocab_.types[id];
    if ((type == TokenType::kControl || type == TokenType::kUserDefined) && !vocab_.pieces[id].empty()) {
      special_tokens_.push_back({vocab_.pieces[id], id, type == TokenType::kControl});
    }
  }
  std::stable_sort(special_tokens_.begin(), special_tokens_.end(),
                   [](const SpecialToken& a, const SpecialToken& b) { return a.text.size() > b.text.size(); });
}

absl::StatusOr<std::vector<int32_t>> Tokenizer::Encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> out;
  if (options.add_bos && vocab_.bos_id != kNoToken) out.push_back(vocab_.bos_id);

  bool after_special = true;
  size_t pos = 0;
  // Where each special token next occurs; searched again only once the text before it is consumed, so a
  // long text with many special tokens stays linear per token kind.
  std::vector<size_t> next_at(special_tokens_.size(), 0);
  std::vector<bool> searched(special_tokens_.size(), false);
  while (pos < text.size()) {
    // The earliest special token in the rest of the text; the longest one where several start there.
    size_t best_at = std::string_view::npos;
    const SpecialToken* best = nullptr;
    for (size_t i = 0; i < special_tokens_.size(); ++i) {
      const SpecialToken& special = special_tokens_[i];
      if (special.control && !options.parse_special) continue;
      if (!searched[i] || (next_at[i] != std::string_view::npos && next_at[i] < pos)) {
        next_at[i] = text.find(special.text, pos);
        searched[i] = true;
      }
      const size_t at = next_at[i];
      if (at < best_at) {
        best_at = at;
        best = &special;
      }
    }
    const size_t fragment_end = best == nullptr ? text.size() : best_at;
    if (fragment_end > pos) {
      TTT_RETURN_IF_ERROR(EncodeFragment(text.substr(pos, fragment_end - pos),
                                         FragmentPlace{.at_text_start = pos == 0, .after_special = after_special},
                                         &out));
      after_special = false;
    }
    if (best == nullptr) break;
    out.push_back(best->id);
    after_special = true;
    pos = best_at + best->text.size();
  }
  if (options.add_bos && vocab_.bos_id != kNoToken && vocab_.sep_id != kNoToken) out.push_back(vocab_.sep_id);
  if (options.add_eos && vocab_.eos_id != kNoToken) out.push_back(vocab_.eos_id);
  return out;
}

std::string Tokenizer::Decode(absl::Span<const int32_t> ids) const {
  std::string text;
  int32_t previous = kNoToken;
  for (int32_t id : ids) {
    if (!InRange(id)) continue;
    text += DecodeToken(id, previous);
    previous = id;
  }
  return text;
}

std::string Tokenizer::TokenText(int32_t id) const { return InRange(id) ? vocab_.pieces[id] : std::string(); }

std::string Tokenizer::TokenPiece(int32_t id) const {
  switch (TypeOf(id)) {
    case TokenType::kControl:
    case TokenType::kUnknown:
    case TokenType::kUserDefined:
      return TokenText(id);
    default:
      // Any text token as the previous one: no start-of-text rule (SentencePiece's dropped dummy-prefix
      // space, WordPiece's first word) applies.
      return DecodeToken(id, /*previous=*/id);
  }
}

TokenType Tokenizer::TypeOf(int32_t id) const { return InRange(id) ? vocab_.types[id] : TokenType::kUnused; }

int32_t Tokenizer::PieceToId(std::string_view piece) const {
  auto it = piece_to_id_.find(absl::string_view(piece.data(), piece.size()));
  return it == piece_to_id_.end() ? kNoToken : it->second;
}

int ParseBytePiece(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  int value = 0;
  for (char c : piece.substr(3, 2)) {
    value <<= 4;
    if (c >= '0' && c <= '9') value |= c - '0';
    else if (c >= 'A' && c <= 'F') value |= c - 'A' + 10;
    else if (c >= 'a' && c <= 'f') value |= c - 'a' + 10;
    else return -1;
  }
  return value;
}

}  // namespace ttt::tokenizers
