#include "core/generation/chat/py_string.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace ttt::chat {
namespace {

size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // a stray continuation or invalid byte stands alone
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// strip(chars) removes whole code points of `chars`, so a multi-byte character is never cut in half.
bool StartsWithAnyOf(absl::string_view s, const std::vector<std::string>& set, size_t* len) {
  for (const std::string& c : set) {
    if (!c.empty() && s.substr(0, c.size()) == c) {
      *len = c.size();
      return true;
    }
  }
  return false;
}

bool EndsWithAnyOf(absl::string_view s, const std::vector<std::string>& set, size_t* len) {
  for (const std::string& c : set) {
    if (!c.empty() && s.size() >= c.size() && s.substr(s.size() - c.size()) == c) {
      *len = c.size();
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<size_t> CodePointOffsets(absl::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  size_t i = 0;
  while (i < s.size()) {
    offsets.push_back(i);
    size_t n = Utf8Length(static_cast<unsigned char>(s[i]));
    if (i + n > s.size()) n = 1;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        n = 1;
        break;
      }
    }
    i += n;
  }
  offsets.push_back(s.size());
  return offsets;
}

int64_t CodePointCount(absl::string_view s) { return static_cast<int64_t>(CodePointOffsets(s).size()) - 1; }

std::vector<std::string> CodePoints(absl::string_view s) {
  std::vector<size_t> offsets = CodePointOffsets(s);
  std::vector<std::string> out;
  out.reserve(offsets.size() - 1);
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    out.emplace_back(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
  }
  return out;
}

std::vector<int64_t> SliceIndices(int64_t length, std::optional<int64_t> start, std::optional<int64_t> stop,
                                  int64_t step) {
  // Python's PySlice_AdjustIndices.
  auto clamp = [&](int64_t v, int64_t lo, int64_t hi) { return std::max(lo, std::min(hi, v)); };
  int64_t begin, end;
  if (step > 0) {
    begin = start ? (*start < 0 ? clamp(*start + length, 0, length) : clamp(*start, 0, length)) : 0;
    end = stop ? (*stop < 0 ? clamp(*stop + length, 0, length) : clamp(*stop, 0, length)) : length;
  } else {
    begin = start ? (*start < 0 ? clamp(*start + length, -1, length - 1) : clamp(*start, -1, length - 1))
                  : length - 1;
    end = stop ? (*stop < 0 ? clamp(*stop + length, -1, length - 1) : clamp(*stop, -1, length - 1)) : -1;
  }
  std::vector<int64_t> indices;
  if (step > 0) {
    for (int64_t i = begin; i < end; i += step) indices.push_back(i);
  } else {
    for (int64_t i = begin; i > end; i += step) indices.push_back(i);
  }
  return indices;
}

std::string SliceString(absl::string_view s, std::optional<int64_t> start, std::optional<int64_t> stop,
                        int64_t step) {
  std::vector<size_t> offsets = CodePointOffsets(s);
  const int64_t length = static_cast<int64_t>(offsets.size()) - 1;
  std::string out;
  for (int64_t i : SliceIndices(length, start, stop, step)) {
    absl::StrAppend(&out, s.substr(offsets[i], offsets[i + 1] - offsets[i]));
  }
  return out;
}

bool IsPySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         (c >= '\x1c' && c <= '\x1f');
}

std::string PyStrip(absl::string_view s, const std::optional<std::string>& chars, bool left, bool right) {
  if (!chars) {
    size_t b = 0, e = s.size();
    if (left) {
      while (b < e && IsPySpace(s[b])) ++b;
    }
    if (right) {
      while (e > b && IsPySpace(s[e - 1])) --e;
    }
    return std::string(s.substr(b, e - b));
  }
  const std::vector<std::string> set = CodePoints(*chars);
  size_t n = 0;
  if (left) {
    while (!s.empty() && StartsWithAnyOf(s, set, &n)) s.remove_prefix(n);
  }
  if (right) {
    while (!s.empty() && EndsWithAnyOf(s, set, &n)) s.remove_suffix(n);
  }
  return std::string(s);
}

std::vector<std::string> PySplit(absl::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
  std::vector<std::string> parts;
  if (!sep) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && IsPySpace(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        size_t e = s.size();
        while (e > i && IsPySpace(s[e - 1])) --e;
        parts.emplace_back(s.substr(i, e - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !IsPySpace(s[j])) ++j;
      parts.emplace_back(s.substr(i, j - i));
      i = j;
    }
    return parts;
  }
  size_t start = 0;
  while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
    size_t at = s.find(*sep, start);
    if (at == absl::string_view::npos) break;
    parts.emplace_back(s.substr(start, at - start));
    start = at + sep->size();
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

std::vector<std::string> PySplitLines(absl::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      lines.emplace_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

std::string PyReplace(absl::string_view s, absl::string_view from, absl::string_view to, int64_t count) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` between every code point (and at both ends), up to `count` times.
    std::vector<std::string> cps = CodePoints(s);
    int64_t done = 0;
    for (const std::string& cp : cps) {
      if (count < 0 || done < count) {
        absl::StrAppend(&out, to);
        ++done;
      }
      absl::StrAppend(&out, cp);
    }
    if (count < 0 || done < count) absl::StrAppend(&out, to);
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t at = s.find(from, start);
    if (at == absl::string_view::npos) break;
    absl::StrAppend(&out, s.substr(start, at - start));
    absl::StrAppend(&out, to);
    start = at + from.size();
    ++done;
  }
  absl::StrAppend(&out, s.substr(start));
  return out;
}

size_t PyReplacedSize(absl::string_view s, absl::string_view from, absl::string_view to, int64_t count) {
  uint64_t occurrences = 0;
  if (from.empty()) {
    occurrences = static_cast<uint64_t>(CodePointCount(s)) + 1;
  } else {
    for (size_t at = s.find(from); at != absl::string_view::npos; at = s.find(from, at + from.size())) ++occurrences;
  }
  if (count >= 0) occurrences = std::min<uint64_t>(occurrences, static_cast<uint64_t>(count));
  return s.size() - occurrences * from.size() + occurrences * to.size();
}

std::string PyUpper(absl::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

std::string PyLower(absl::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string PyTitle(absl::string_view s) {
  std::string out(s);
  bool previous_cased = false;
  for (char& c : out) {
    if (IsAsciiLetter(c)) {
      c = previous_cased ? AsciiLower(c) : AsciiUpper(c);
      previous_cased = true;
    } else {
      // Non-ASCII bytes are letters in many scripts; treating them as cased keeps "émile" -> "Émile"-like
      // words from capitalising mid-word.
      previous_cased = (static_cast<unsigned char>(c) >= 0x80);
    }
  }
  return out;
}

std::string PyCapitalize(absl::string_view s) {
  std::string out = PyLower(s);
  if (!out.empty()) out[0] = AsciiUpper(out[0]);
  return out;
}

std::string PyStrRepr(absl::string_view s) {
  const bool has_single = s.find('\'') != absl::string_view::npos;
  const bool has_double = s.find('"') != absl::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c == quote) {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += quote;
  return out;
}

std::string PyFloatRepr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, result.ptr);
  // sci is "[-]d[.ddd]e[+-]XX": pull out sign, digits and exponent.
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::atoi(sci.c_str() + e + 1);
  if (exponent >= -4 && exponent < 16) {
    std::string out;
    if (exponent < 0) {
      out = "0." + std::string(-exponent - 1, '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exponent + 1) {
      out = digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
    }
    return sign + out;
  }
  std::string mantissa = digits.substr(0, 1);
  if (digits.size() > 1) mantissa += "." + digits.substr(1);
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return sign + mantissa + exp_buf;
}

}  // namespace ttt::chat
