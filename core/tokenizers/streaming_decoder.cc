#include "core/tokenizers/streaming_decoder.h"

#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {

std::string StreamingDecoder::Push(int32_t id) {
  pending_ += tokenizer_.DecodeToken(id, previous_);
  previous_ = id;
  const size_t complete = Utf8CompletePrefixLength(pending_);
  std::string ready = pending_.substr(0, complete);
  pending_.erase(0, complete);
  return ready;
}

std::string StreamingDecoder::Flush() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

}  // namespace ttt::tokenizers
