// Just enough UTF-8 for tokenizers: splitting text into characters without ever reading past the end,
// finding where a byte stream can be cut without splitting a character, and converting to and from code
// points (normalizers work on those).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ttt::tokenizers {

// Length in bytes of the character starting at text[pos]: 1..4 for a well-formed sequence, 1 for a byte
// that does not start one (a stray continuation byte, a truncated or malformed sequence).
size_t Utf8CharLength(std::string_view text, size_t pos);

// The length of the longest prefix of `bytes` that does not end inside an incomplete multi-byte sequence.
// Only a well-formed but unfinished trailing sequence is held back; malformed bytes are never held.
size_t Utf8CompletePrefixLength(std::string_view bytes);

// Code points of UTF-8 text; every byte that does not start a well-formed sequence becomes U+FFFD.
std::u32string DecodeUtf8(std::string_view text);
void AppendUtf8(char32_t c, std::string* out);
std::string EncodeUtf8(std::u32string_view text);

}  // namespace ttt::tokenizers
