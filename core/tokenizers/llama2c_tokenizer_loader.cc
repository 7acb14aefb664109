// llama2.c's tokenizer.bin, read the way run.c reads it, mapped onto the SentencePiece tokenizer: run.c's
// encoder (dummy " " prefix on non-empty text, best-score merges, bytes as id = byte + 3) is SentencePiece
// BPE over pieces whose '▁' the exporter wrote as ' '.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/tokenizers/spm_tokenizer.h"
#include "core/tokenizers/tokenizer_loader.h"

namespace ttt::tokenizers {
namespace {

constexpr int32_t kLlama2cUnk = 0, kLlama2cBos = 1, kLlama2cEos = 2, kLlama2cFirstByte = 3;
// Longer pieces than this mean the file is not a tokenizer (real ones stay under a few hundred bytes).
constexpr int32_t kMaxPlausibleTokenLength = 1 << 16;

template <typename T>
T ReadLittleEndian(const std::string& data, size_t offset) {
  T value;
  std::memcpy(&value, data.data() + offset, sizeof(T));
  return value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadLlama2cTokenizer(const std::string& path,
                                                                int32_t expected_vocab_size) {
  TTT_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  const std::string hint = "; is this llama2.c's tokenizer.bin (int32 max_token_length, then per token "
                           "float32 score, int32 length, bytes)?";
  if (data.size() < 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", data.size(), " bytes, too short for the max_token_length header", hint));
  }
  const int32_t max_token_length = ReadLittleEndian<int32_t>(data, 0);
  if (max_token_length <= 0 || max_token_length > kMaxPlausibleTokenLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": max_token_length ", max_token_length, " at offset 0 is not plausible", hint));
  }
  Vocabulary vocab;
  size_t offset = 4;
  while (offset < data.size()) {
    const size_t token = vocab.pieces.size();
    if (data.size() - offset < 8) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": truncated at offset ", offset, " in token ", token,
                                                     ": its score and length need 8 bytes, ", data.size() - offset,
                                                     " remain", hint));
    }
    const float score = ReadLittleEndian<float>(data, offset);
    const int32_t length = ReadLittleEndian<int32_t>(data, offset + 4);
    if (length < 0 || length > max_token_length) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": token ", token, " at offset ", offset,
                                                     " has length ", length, ", outside 0..max_token_length (",
                                                     max_token_length, ")", hint));
    }
    offset += 8;
    if (data.size() - offset < static_cast<size_t>(length)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": truncated at offset ", offset, " in token ", token,
                                                     ": its text needs ", length, " bytes, ", data.size() - offset,
                                                     " remain", hint));
    }
    vocab.pieces.push_back(absl::StrReplaceAll(data.substr(offset, length), {{" ", "\xE2\x96\x81"}}));
    vocab.scores.push_back(score);
    offset += length;
  }
  const int32_t n = static_cast<int32_t>(vocab.pieces.size());
  if (expected_vocab_size >= 0 && n != expected_vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": holds ", n, " tokens but the model's vocab_size is ",
                                                   expected_vocab_size,
                                                   "; the tokenizer and the checkpoint do not belong together "
                                                   "or the file is truncated"));
  }
  if (n < kLlama2cFirstByte + 256) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": only ", n,
                                                   " tokens; run.c's layout needs <unk>, <s>, </s> and the 256 byte "
                                                   "tokens (ids 0..258)", hint));
  }
  vocab.types.assign(n, TokenType::kNormal);
  vocab.types[kLlama2cUnk] = TokenType::kUnknown;
  // The exporter writes BOS/EOS as "\n<s>\n" / "\n</s>\n" for run.c's printing; keep their usual names.
  vocab.types[kLlama2cBos] = TokenType::kControl;
  vocab.types[kLlama2cEos] = TokenType::kControl;
  vocab.pieces[kLlama2cBos] = "<s>";
  vocab.pieces[kLlama2cEos] = "</s>";
  for (int b = 0; b < 256; ++b) {
    const int32_t id = kLlama2cFirstByte + b;
    char expected[8];
    std::snprintf(expected, sizeof(expected), "<0x%02X>", b);
    if (vocab.pieces[id] != expected) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": token ", id, " is \"", vocab.pieces[id],
                                                     "\" where run.c's byte fallback expects \"", expected, "\"",
                                                     hint));
    }
    vocab.types[id] = TokenType::kByte;
  }
  vocab.unk_id = kLlama2cUnk;
  vocab.bos_id = kLlama2cBos;
  vocab.eos_id = kLlama2cEos;
  vocab.add_bos_by_default = true;
  SpmOptions options;  // run.c: dummy prefix, no whitespace collapsing, byte fallback
  TTT_ASSIGN_OR_RETURN(auto tokenizer, SpmTokenizer::Create(std::move(vocab), options, std::nullopt, path));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace ttt::tokenizers
