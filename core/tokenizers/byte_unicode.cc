#include "core/tokenizers/byte_unicode.h"

#include <array>
#include <cstdint>

#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {
namespace {

struct Tables {
  std::array<uint16_t, 256> byte_to_code;
  std::array<int16_t, 324> code_to_byte;  // codes used are < 256 + 68
};

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t;
    t.code_to_byte.fill(-1);
    int next_extra = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t.byte_to_code[b] = static_cast<uint16_t>(printable ? b : next_extra++);
      t.code_to_byte[t.byte_to_code[b]] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return tables;
}

}  // namespace

void BytesToUnicode(std::string_view bytes, std::string* out) {
  const Tables& t = GetTables();
  for (unsigned char b : bytes) {
    AppendUtf8(t.byte_to_code[b], out);
  }
}

bool UnicodeToBytes(std::string_view text, std::string* out) {
  const Tables& t = GetTables();
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    uint32_t code;
    if (lead < 0x80) {
      code = lead;
      i += 1;
    } else if ((lead & 0xE0) == 0xC0 && i + 1 < text.size() && (text[i + 1] & 0xC0) == 0x80) {
      code = ((lead & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      i += 2;
    } else {
      return false;
    }
    if (code >= t.code_to_byte.size() || t.code_to_byte[code] < 0) return false;
    out->push_back(static_cast<char>(t.code_to_byte[code]));
  }
  return true;
}

}  // namespace ttt::tokenizers
