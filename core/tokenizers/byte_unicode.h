// GPT-2's reversible byte <-> printable character table (bytes_to_unicode): printable Latin-1 bytes map to
// themselves, the other 68 bytes to U+0100 onwards, so every byte string becomes printable text.
#pragma once

#include <string>
#include <string_view>

namespace ttt::tokenizers {

// Appends the UTF-8 of the characters standing for `bytes`.
void BytesToUnicode(std::string_view bytes, std::string* out);

// Appends the bytes `text` stands for. Returns false (and appends nothing more) at the first character
// that is not in the table, which a piece of a real byte-level vocabulary never holds.
bool UnicodeToBytes(std::string_view text, std::string* out);

}  // namespace ttt::tokenizers
