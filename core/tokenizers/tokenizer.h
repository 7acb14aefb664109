// The common tokenizer interface: text <-> token ids, with the vocabulary, special tokens and the
// special-token splitting that every tokenizer shares. Concrete models: SpmTokenizer (SentencePiece-style
// BPE with byte fallback), ByteLevelBpeTokenizer (GPT-2 and the other byte-level BPEs) and
// WordPieceTokenizer (BERT). Loaders live in tokenizer_loader.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ttt::tokenizers {

// Numbered as SentencePiece and GGUF's tokenizer.ggml.token_type number them.
enum class TokenType : uint8_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // <s>, </s>, <|endoftext|>: only produced from text when EncodeOptions::parse_special
  kUserDefined = 4,  // always matched whole in text, never split
  kUnused = 5,
  kByte = 6,         // <0xXX> byte-fallback pieces
};

// Stands for "no previous token" (start of the text) where a previous token id is expected.
inline constexpr int32_t kNoToken = -1;

// What every loader produces: one entry per id. Scores matter only to SentencePiece-style BPE.
struct Vocabulary {
  std::vector<std::string> pieces;
  std::vector<TokenType> types;
  std::vector<float> scores;  // empty, or one per piece
  int32_t bos_id = kNoToken;
  int32_t eos_id = kNoToken;
  int32_t unk_id = kNoToken;
  int32_t sep_id = kNoToken;  // appended after the text whenever BOS is put before it (BERT: [CLS] ... [SEP])
  bool add_bos_by_default = false;  // what the model's own tooling does when asked for "special tokens"
  bool add_eos_by_default = false;  // likewise for EOS after the text (T5: "... </s>")

  // Checks sizes and that bos/eos/unk ids are in range; `source` names the file in the error.
  absl::Status Validate(std::string_view source) const;
};

// The byte a SentencePiece byte piece "<0xXX>" stands for, or -1 for any other piece.
int ParseBytePiece(std::string_view piece);

struct EncodeOptions {
  bool add_bos = false;  // and sep_id after the text, where the vocabulary has one
  bool add_eos = false;  // eos_id after the text (after sep_id), where the vocabulary has one
  // Recognise control tokens written in the text ("<s>", "<|endoftext|>") as those tokens. Off by default so
  // that user text cannot inject control tokens. User-defined tokens are always recognised.
  bool parse_special = false;
};

class Tokenizer {
 public:
  explicit Tokenizer(Vocabulary vocab);
  virtual ~Tokenizer() = default;
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Errors only when some text cannot be represented (no byte token, no unknown token).
  virtual absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text, const EncodeOptions& options) const;
  absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text, bool add_bos) const {
    return Encode(text, EncodeOptions{.add_bos = add_bos});
  }

  // Control tokens decode to nothing; ids out of range are skipped. Bytes are returned as they are, so a
  // sequence cut inside a multi-byte character yields incomplete UTF-8 (see StreamingDecoder).
  virtual std::string Decode(absl::Span<const int32_t> ids) const;

  // The bytes token `id` contributes to decoded text when it follows `previous` (kNoToken at the start):
  // SentencePiece drops the dummy-prefix space of the first piece after the start or after BOS.
  virtual std::string DecodeToken(int32_t id, int32_t previous) const = 0;

  // The vocabulary's own spelling of the token ("▁Hello", "Ġworld", "<0x0A>"); "" when out of range.
  std::string TokenText(int32_t id) const;
  // The bytes of one token on its own, as llama.cpp's token_to_piece gives them: control, unknown and
  // user-defined tokens as their text, every other token as it decodes in the middle of a text (" Hello").
  std::string TokenPiece(int32_t id) const;
  TokenType TypeOf(int32_t id) const;
  // The id of a piece spelled exactly as in the vocabulary, or kNoToken.
  int32_t PieceToId(std::string_view piece) const;

  int32_t vocab_size() const { return static_cast<int32_t>(vocab_.pieces.size()); }
  int32_t bos_id() const { return vocab_.bos_id; }
  int32_t eos_id() const { return vocab_.eos_id; }
  int32_t unk_id() const { return vocab_.unk_id; }
  int32_t sep_id() const { return vocab_.sep_id; }
  bool add_bos_by_default() const { return vocab_.add_bos_by_default; }
  bool add_eos_by_default() const { return vocab_.add_eos_by_default; }
  const Vocabulary& vocabulary() const { return vocab_; }

 protected:
  // Where a fragment (text holding no special token) sits: at the start of the whole text, and/or right
  // after a special token (the start counts too). SentencePiece adds its dummy prefix depending on these.
  struct FragmentPlace {
    bool at_text_start;
    bool after_special;
  };
  virtual absl::Status EncodeFragment(std::string_view fragment, FragmentPlace place,
                                      std::vector<int32_t>* out) const = 0;

  bool InRange(int32_t id) const { return id >= 0 && id < vocab_size(); }

  Vocabulary vocab_;
  absl::flat_hash_map<std::string, int32_t> piece_to_id_;

 private:
  struct SpecialToken {
    std::string text;
    int32_t id;
    bool control;
  };
  std::vector<SpecialToken> special_tokens_;  // longest first, so that the longest match wins
};

}  // namespace ttt::tokenizers
