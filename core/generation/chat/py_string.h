// Python `str` behaviour on UTF-8 strings, for the Jinja engine: templates index, slice and measure strings
// in code points (a Python str is a sequence of code points), and their methods (strip, split, title...)
// are Python's. Case mapping covers ASCII only; other letters pass through unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ttt::chat {

// Byte offsets of each code point's start, plus the total size at the end (so code point i spans
// [offsets[i], offsets[i+1])). Invalid UTF-8 bytes count as one code point each, so any input is indexable.
std::vector<size_t> CodePointOffsets(absl::string_view s);
int64_t CodePointCount(absl::string_view s);
std::vector<std::string> CodePoints(absl::string_view s);

// Python's slicing s[start:stop:step] on code points; absent bounds are nullopt. `step` must not be 0.
std::string SliceString(absl::string_view s, std::optional<int64_t> start, std::optional<int64_t> stop,
                        int64_t step);
// Resolves Python slice bounds against a length into the index sequence it selects.
std::vector<int64_t> SliceIndices(int64_t length, std::optional<int64_t> start, std::optional<int64_t> stop,
                                  int64_t step);

bool IsPySpace(char c);
// str.strip/lstrip/rstrip: `chars` nullopt strips whitespace, otherwise any of those characters.
std::string PyStrip(absl::string_view s, const std::optional<std::string>& chars, bool left, bool right);
// str.split(sep, maxsplit): no sep splits on runs of whitespace and drops empty parts, as Python does.
std::vector<std::string> PySplit(absl::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> PySplitLines(absl::string_view s);
std::string PyReplace(absl::string_view s, absl::string_view from, absl::string_view to, int64_t count);
// The size PyReplace would produce, computed without building it (to refuse a result that is too large).
size_t PyReplacedSize(absl::string_view s, absl::string_view from, absl::string_view to, int64_t count);
std::string PyUpper(absl::string_view s);
std::string PyLower(absl::string_view s);
// str.title(): a letter is upper-cased after a non-letter, lower-cased after a letter.
std::string PyTitle(absl::string_view s);
// str.capitalize(): first character upper, the rest lower.
std::string PyCapitalize(absl::string_view s);

// repr() of a str: single quotes unless the text has a single quote and no double quote, as Python picks.
std::string PyStrRepr(absl::string_view s);
// repr() of a float: shortest digits that round-trip, fixed notation for exponents in [-4, 16), else
// scientific with a two-digit exponent; "inf", "nan"; always shows a fractional part ("1.0").
std::string PyFloatRepr(double v);

}  // namespace ttt::chat
