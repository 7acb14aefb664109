#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {
namespace {

// Expected sequence length from a lead byte, 0 when the byte cannot start a sequence.
size_t LeadLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

size_t Utf8CharLength(std::string_view text, size_t pos) {
  const size_t want = LeadLength(static_cast<unsigned char>(text[pos]));
  if (want <= 1 || pos + want > text.size()) return 1;
  for (size_t i = 1; i < want; ++i) {
    if (!IsContinuation(static_cast<unsigned char>(text[pos + i]))) return 1;
  }
  return want;
}

size_t Utf8CompletePrefixLength(std::string_view bytes) {
  const size_t n = bytes.size();
  // A held-back sequence is at most 3 bytes long (a 4-byte character missing its last byte).
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const unsigned char byte = static_cast<unsigned char>(bytes[n - back]);
    if (IsContinuation(byte)) continue;
    const size_t want = LeadLength(byte);
    return want > back ? n - back : n;
  }
  return n;
}

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = Utf8CharLength(text, pos);
    const auto lead = static_cast<unsigned char>(text[pos]);
    char32_t c;
    if (length == 1) {
      c = lead < 0x80 ? lead : 0xFFFD;
    } else {
      c = lead & (0xFF >> (length + 1));
      for (size_t i = 1; i < length; ++i) c = (c << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
    }
    out.push_back(c);
    pos += length;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) AppendUtf8(c, &out);
  return out;
}

}  // namespace ttt::tokenizers
