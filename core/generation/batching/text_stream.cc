#include "core/generation/batching/text_stream.h"

#include <algorithm>

#include "core/tokenizers/utf8.h"

namespace ttt {

TextStream::TextStream(const tokenizers::Tokenizer& tokenizer, std::vector<std::string> stop_strings,
                       int32_t previous)
    : tokenizer_(tokenizer), previous_(previous) {
  for (auto& s : stop_strings) {
    if (s.empty()) continue;  // an empty stop string would stop everything at once: ignore it
    hold_ = std::max(hold_, s.size() - 1);
    stops_.push_back(std::move(s));
  }
}

bool TextStream::Append(int32_t token) {
  // A stop string can only end in the new bytes, so it starts at most hold_ bytes before them.
  const size_t search_from = bytes_.size() > hold_ ? bytes_.size() - hold_ : 0;
  bytes_ += tokenizer_.DecodeToken(token, previous_);
  previous_ = token;
  size_t cut = std::string::npos;
  for (const auto& stop : stops_) cut = std::min(cut, bytes_.find(stop, std::max(search_from, emitted_)));
  if (cut == std::string::npos) return false;
  bytes_.resize(cut);
  return true;
}

std::string_view TextStream::TakeReady(bool final) {
  size_t ready = bytes_.size();
  if (!final) {
    ready = std::min(tokenizers::Utf8CompletePrefixLength(bytes_), bytes_.size() > hold_ ? bytes_.size() - hold_ : 0);
  }
  if (ready <= emitted_) return {};
  std::string_view out = std::string_view(bytes_).substr(emitted_, ready - emitted_);
  emitted_ = ready;
  return out;
}

}  // namespace ttt
