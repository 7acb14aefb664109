#include "core/tokenizers/precompiled_charsmap.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace ttt::tokenizers {
namespace {

constexpr char kReplacementCharacter[] = "\xEF\xBF\xBD";  // U+FFFD
// SentencePiece keeps at most this many prefix matches and picks the longest of them.
constexpr size_t kMaxTrieResults = 32;

// Darts-clone's unit encoding.
bool HasLeaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t Value(uint32_t unit) { return unit & ((1U << 31) - 1); }
uint32_t Label(uint32_t unit) { return unit & ((1U << 31) | 0xFF); }
uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1U << 9)) >> 6); }

}  // namespace

size_t ValidUtf8CharLength(std::string_view input) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(input[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  char32_t c;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    c = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    c = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    c = lead & 0x07;
  } else {
    return 0;
  }
  if (input.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i) & 0x3F);
  }
  const char32_t min_value = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  if (c < min_value || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  return length;
}

absl::StatusOr<PrecompiledCharsMap> PrecompiledCharsMap::Parse(std::string_view blob, std::string_view source) {
  PrecompiledCharsMap map;
  if (blob.empty()) return map;
  if (blob.size() < 4) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": the precompiled charsmap has ", blob.size(),
                                                   " bytes, too few for its 4-byte header; the file is damaged"));
  }
  uint32_t trie_size = 0;
  for (int i = 3; i >= 0; --i) trie_size = (trie_size << 8) | static_cast<unsigned char>(blob[i]);
  if (trie_size % 4 != 0 || trie_size == 0 || trie_size > blob.size() - 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source), ": the precompiled charsmap says its trie has ", trie_size, " bytes, but the blob has ",
        blob.size() - 4, " after the header (and the size must be a positive multiple of 4); the file is damaged"));
  }
  map.units_.resize(trie_size / 4);
  for (size_t i = 0; i < map.units_.size(); ++i) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(blob.data()) + 4 + 4 * i;
    map.units_[i] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  }
  map.replacements_.assign(blob.substr(4 + trie_size));
  return map;
}

std::pair<size_t, uint32_t> PrecompiledCharsMap::LongestMatch(std::string_view input) const {
  // Darts-clone's commonPrefixSearch, with every index checked so that a damaged trie cannot read outside.
  std::pair<size_t, uint32_t> best{0, 0};
  if (units_.empty()) return best;
  size_t results = 0;
  size_t node = Offset(units_[0]);
  for (size_t i = 0; i < input.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(input[i]);
    node ^= c;
    if (node >= units_.size()) break;
    const uint32_t unit = units_[node];
    if (Label(unit) != c) break;
    node ^= Offset(unit);
    if (node >= units_.size()) break;
    if (HasLeaf(unit)) {
      if (results++ < kMaxTrieResults) best = {i + 1, Value(units_[node])};
    }
  }
  return best;
}

size_t PrecompiledCharsMap::NormalizePrefix(std::string_view input, std::string_view* out) const {
  const auto [length, offset] = LongestMatch(input);
  if (length > 0 && offset < replacements_.size()) {
    const char* start = replacements_.data() + offset;
    *out = std::string_view(start, strnlen(start, replacements_.size() - offset));
    return length;
  }
  const size_t char_length = ValidUtf8CharLength(input);
  if (char_length == 0) {
    *out = kReplacementCharacter;
    return 1;
  }
  *out = input.substr(0, char_length);
  return char_length;
}

}  // namespace ttt::tokenizers
