// The text of one sequence being generated, token by token: decoded bytes, cut before a stop string, handed
// out only as complete UTF-8 that cannot still turn into a stop string (so a streamed client never sees a
// stop string's first bytes nor half a character).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizers/tokenizer.h"

namespace ttt {

class TextStream {
 public:
  // `previous` is the token before the first generated one (the prompt's last), for decoders whose text of a
  // token depends on it (SentencePiece's leading space). The tokenizer must outlive the stream.
  TextStream(const tokenizers::Tokenizer& tokenizer, std::vector<std::string> stop_strings, int32_t previous);

  // Appends a token's text; true when a stop string now ends the text (the text is cut before it).
  bool Append(int32_t token);
  // The text not handed out before that is ready now; `final` hands out everything left.
  std::string_view TakeReady(bool final);
  const std::string& text() const { return bytes_; }

 private:
  const tokenizers::Tokenizer& tokenizer_;
  std::vector<std::string> stops_;
  size_t hold_ = 0;  // bytes kept back: the longest stop string's length - 1
  std::string bytes_;
  size_t emitted_ = 0;
  int32_t previous_;
};

}  // namespace ttt
