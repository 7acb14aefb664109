#include "core/tokenizers/byte_level_bpe_tokenizer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/runtime/status.h"
#include "core/tokenizers/byte_unicode.h"
#include "core/tokenizers/unicode_props.h"
#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {

absl::StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeTokenizer::Create(Vocabulary vocab,
                                                                                     MergeRankTable merges,
                                                                                     ByteLevelOptions options,
                                                                                     std::string_view source) {
  TTT_RETURN_IF_ERROR(vocab.Validate(source));
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<RegexPreTokenizer> pre_tokenizer,
                       RegexPreTokenizer::Create(options.split_rules, source));
  return std::unique_ptr<ByteLevelBpeTokenizer>(
      new ByteLevelBpeTokenizer(std::move(vocab), std::move(merges), std::move(options), std::move(pre_tokenizer)));
}

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(Vocabulary vocab, MergeRankTable merges, ByteLevelOptions options,
                                             std::unique_ptr<RegexPreTokenizer> pre_tokenizer)
    : Tokenizer(std::move(vocab)),
      merges_(std::move(merges)),
      options_(std::move(options)),
      pre_tokenizer_(std::move(pre_tokenizer)) {
  decoded_.resize(vocab_.pieces.size());
  for (int32_t id = 0; id < vocab_size(); ++id) {
    const TokenType type = vocab_.types[id];
    if (type == TokenType::kControl || type == TokenType::kUnused) continue;
    const std::string& piece = vocab_.pieces[id];
    std::string bytes;
    // Added (user-defined) tokens are usually plain text rather than byte-mapped; keep them as written.
    decoded_[id] = UnicodeToBytes(piece, &bytes) ? bytes : piece;
  }
}

absl::Status ByteLevelBpeTokenizer::EncodeChunk(std::string_view chunk, std::vector<int32_t>* out) const {
  std::string mapped;
  BytesToUnicode(chunk, &mapped);
  if (options_.ignore_merges) {
    const int32_t whole = PieceToId(mapped);
    if (whole != kNoToken) {
      out->push_back(whole);
      return absl::OkStatus();
    }
  }
  std::vector<BpeSymbol> symbols;
  symbols.reserve(mapped.size());
  for (size_t pos = 0; pos < mapped.size();) {
    const size_t length = Utf8CharLength(mapped, pos);
    const int32_t id = PieceToId(std::string_view(mapped).substr(pos, length));
    if (id == kNoToken && vocab_.unk_id == kNoToken) {
      const size_t byte_index = symbols.size();  // one mapped character per input byte
      return absl::InvalidArgumentError(absl::StrFormat(
          "byte 0x%02X of the text has no token in this byte-level vocabulary and it has no unknown token; "
          "this vocabulary does not cover the text (a complete byte-level vocabulary has all 256 bytes)",
          static_cast<unsigned char>(chunk[byte_index])));
    }
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(length), id});
    pos += length;
  }
  BpeMerge(mapped, merges_, &symbols);
  for (const BpeSymbol& symbol : symbols) out->push_back(symbol.id != kNoToken ? symbol.id : vocab_.unk_id);
  return absl::OkStatus();
}

absl::Status ByteLevelBpeTokenizer::EncodeFragment(std::string_view fragment, FragmentPlace place,
                                                   std::vector<int32_t>* out) const {
  std::string normalized;
  if (options_.nfc && std::any_of(fragment.begin(), fragment.end(), [](char c) { return (c & 0x80) != 0; })) {
    normalized = EncodeUtf8(ToNfc(DecodeUtf8(fragment)));
    fragment = normalized;
  }
  std::string prefixed;
  if (options_.add_prefix_space && place.at_text_start && !fragment.empty() && fragment[0] != ' ') {
    prefixed.reserve(fragment.size() + 1);
    prefixed.push_back(' ');
    prefixed.append(fragment);
    fragment = prefixed;
  }
  TTT_ASSIGN_OR_RETURN(std::vector<std::string_view> chunks, pre_tokenizer_->Split(fragment));
  for (std::string_view chunk : chunks) TTT_RETURN_IF_ERROR(EncodeChunk(chunk, out));
  return absl::OkStatus();
}

std::string ByteLevelBpeTokenizer::DecodeToken(int32_t id, int32_t previous) const {
  return InRange(id) ? decoded_[id] : std::string();
}

}  // namespace ttt::tokenizers
