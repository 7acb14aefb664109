// Decodes tokens one at a time (as generation produces them) into text that is always whole UTF-8: bytes
// of a character split across tokens (byte-fallback <0xXX> tokens, byte-level pieces) are held back until
// the token that completes the character arrives.
#pragma once

#include <cstdint>
#include <string>

#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

class StreamingDecoder {
 public:
  // `previous` is the token before the first one pushed (e.g. the last prompt token), so that the
  // start-of-text rules (SentencePiece's dummy-prefix space) apply only where the text really starts.
  // The tokenizer must outlive the decoder.
  explicit StreamingDecoder(const Tokenizer& tokenizer, int32_t previous = kNoToken)
      : tokenizer_(tokenizer), previous_(previous) {}

  // The text that became complete with `id`; may be empty while a character is unfinished.
  std::string Push(int32_t id);
  // Whatever is still held back (an unfinished character at the end of the stream), as raw bytes.
  std::string Flush();
  // Bytes held back, waiting for the rest of a character.
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer& tokenizer_;
  int32_t previous_;
  std::string pending_;
};

}  // namespace ttt::tokenizers
