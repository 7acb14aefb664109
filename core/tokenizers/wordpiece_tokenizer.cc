#include "core/tokenizers/wordpiece_tokenizer.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "core/tokenizers/unicode_props.h"
#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {

absl::StatusOr<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::Create(Vocabulary vocab,
                                                                               WordPieceOptions options,
                                                                               std::string_view source) {
  TTT_RETURN_IF_ERROR(vocab.Validate(source));
  if (vocab.unk_id == kNoToken) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source), ": a WordPiece vocabulary needs an unknown token (usually [UNK]) for the words its "
                             "pieces cannot cover; none is set"));
  }
  return std::unique_ptr<WordPieceTokenizer>(new WordPieceTokenizer(std::move(vocab), std::move(options)));
}

WordPieceTokenizer::WordPieceTokenizer(Vocabulary vocab, WordPieceOptions options)
    : Tokenizer(std::move(vocab)), options_(std::move(options)) {
  decoded_.resize(vocab_.pieces.size());
  for (int32_t id = 0; id < vocab_size(); ++id) {
    const std::string& piece = vocab_.pieces[id];
    longest_piece_ = std::max(longest_piece_, piece.size());
    if (vocab_.types[id] != TokenType::kNormal) {
      if (vocab_.types[id] != TokenType::kControl && vocab_.types[id] != TokenType::kUnused) decoded_[id] = piece;
      continue;
    }
    const std::string& start = options_.word_start_prefix;
    const std::string& continuation = options_.continuation_prefix;
    if (!start.empty() && absl::StartsWith(piece, start)) {
      decoded_[id] = absl::StrCat(" ", piece.substr(start.size()));
    } else if (!continuation.empty() && absl::StartsWith(piece, continuation)) {
      decoded_[id] = piece.substr(continuation.size());
    } else {
      decoded_[id] = start.empty() ? absl::StrCat(" ", piece) : piece;
    }
  }
}

void WordPieceTokenizer::EncodeWord(const std::string& word, std::vector<int32_t>* out) const {
  std::vector<size_t> boundaries;  // byte offsets of character starts, and the end
  for (size_t pos = 0; pos < word.size(); pos += Utf8CharLength(word, pos)) boundaries.push_back(pos);
  const size_t chars = boundaries.size();
  boundaries.push_back(word.size());
  if (chars > static_cast<size_t>(options_.max_chars_per_word)) {
    out->push_back(vocab_.unk_id);
    return;
  }
  const size_t first_piece = out->size();
  std::string candidate;
  for (size_t start = 0; start < chars;) {
    const std::string& prefix = start == 0 ? options_.word_start_prefix : options_.continuation_prefix;
    int32_t found = kNoToken;
    size_t end = chars;
    // The longest piece first: shrink the candidate one character at a time.
    for (; end > start; --end) {
      const size_t bytes = boundaries[end] - boundaries[start];
      if (prefix.size() + bytes > longest_piece_) continue;
      candidate.assign(prefix).append(word, boundaries[start], bytes);
      found = PieceToId(candidate);
      if (found != kNoToken) break;
    }
    if (found == kNoToken) {
      out->resize(first_piece);
      out->push_back(vocab_.unk_id);
      return;
    }
    out->push_back(found);
    start = end;
  }
}

absl::Status WordPieceTokenizer::EncodeFragment(std::string_view fragment, FragmentPlace,
                                                std::vector<int32_t>* out) const {
  const std::u32string normalized = BertNormalize(DecodeUtf8(fragment), options_.normalization);
  for (const std::string& word : BertSplitWords(normalized)) EncodeWord(word, out);
  return absl::OkStatus();
}

std::string WordPieceTokenizer::DecodeToken(int32_t id, int32_t previous) const {
  if (!InRange(id)) return {};
  const std::string& text = decoded_[id];
  const bool at_start = previous == kNoToken || TypeOf(previous) == TokenType::kControl;
  if (at_start && !text.empty() && text[0] == ' ' && vocab_.types[id] == TokenType::kNormal) return text.substr(1);
  return text;
}

}  // namespace ttt::tokenizers
