#include "core/tokenizers/unicode_props.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {
namespace {

struct CharClassRun {
  char32_t first;
  uint8_t char_class;  // a CharClass
};
struct LowercaseRun {
  char32_t first, last;
  int32_t delta;
  int32_t stride;  // 1: every code point of the run, 2: every other one (upper/lower pairs interleaved)
};
struct Decomposition {
  char32_t composite, first, second;  // second 0: a singleton decomposition
  bool composes;                      // NFC turns first + second back into composite
};
struct CombiningClassRun {
  char32_t first;
  uint8_t combining_class;
};

#include "core/tokenizers/unicode_tables.inc"

// Hangul syllables decompose by arithmetic (Unicode chapter 3.12), not by table.
constexpr char32_t kHangulFirst = 0xAC00, kLeadFirst = 0x1100, kVowelFirst = 0x1161, kTrailFirst = 0x11A7;
constexpr int kVowelCount = 21, kTrailCount = 28, kSyllableCount = 11172;

template <typename Run>
const Run& RunOf(const Run* begin, const Run* end, char32_t c) {
  // The last run starting at or before c; the tables start at code point 0.
  return *(std::upper_bound(begin, end, c, [](char32_t value, const Run& run) { return value < run.first; }) - 1);
}

uint8_t CombiningClass(char32_t c) {
  return RunOf(std::begin(kCombiningClassRuns), std::end(kCombiningClassRuns), c).combining_class;
}

const Decomposition* FindDecomposition(char32_t c) {
  auto it = std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), c,
                             [](const Decomposition& d, char32_t value) { return d.composite < value; });
  return it != std::end(kDecompositions) && it->composite == c ? it : nullptr;
}

void AppendDecomposed(char32_t c, std::u32string* out) {
  if (c >= kHangulFirst && c < kHangulFirst + kSyllableCount) {
    const int index = static_cast<int>(c - kHangulFirst);
    out->push_back(kLeadFirst + index / (kVowelCount * kTrailCount));
    out->push_back(kVowelFirst + (index % (kVowelCount * kTrailCount)) / kTrailCount);
    if (index % kTrailCount != 0) out->push_back(kTrailFirst + index % kTrailCount);
    return;
  }
  const Decomposition* d = FindDecomposition(c);
  if (d == nullptr) {
    out->push_back(c);
    return;
  }
  AppendDecomposed(d->first, out);
  if (d->second != 0) AppendDecomposed(d->second, out);
}

// Stable-sorts each run of combining marks (non-zero class) by class: canonical ordering.
void OrderMarks(std::u32string* text) {
  for (size_t i = 0; i < text->size();) {
    if (CombiningClass((*text)[i]) == 0) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text->size() && CombiningClass((*text)[end]) != 0) ++end;
    std::stable_sort(text->begin() + i, text->begin() + end,
                     [](char32_t a, char32_t b) { return CombiningClass(a) < CombiningClass(b); });
    i = end;
  }
}

uint64_t PairKey(char32_t first, char32_t second) { return (uint64_t{first} << 32) | second; }

const absl::flat_hash_map<uint64_t, char32_t>& Compositions() {
  static const auto* table = [] {
    auto* map = new absl::flat_hash_map<uint64_t, char32_t>();
    for (const Decomposition& d : kDecompositions) {
      if (d.composes) map->emplace(PairKey(d.first, d.second), d.composite);
    }
    return map;
  }();
  return *table;
}

std::optional<char32_t> Compose(char32_t starter, char32_t c) {
  // Hangul: lead + vowel -> LV syllable, LV syllable + trail -> LVT syllable.
  if (starter >= kLeadFirst && starter < kLeadFirst + 19 && c >= kVowelFirst && c < kVowelFirst + kVowelCount) {
    return kHangulFirst + ((starter - kLeadFirst) * kVowelCount + (c - kVowelFirst)) * kTrailCount;
  }
  const bool lv_syllable = starter >= kHangulFirst && starter < kHangulFirst + kSyllableCount &&
                           (starter - kHangulFirst) % kTrailCount == 0;
  if (lv_syllable && c > kTrailFirst && c < kTrailFirst + kTrailCount) {
    return starter + (c - kTrailFirst);
  }
  auto it = Compositions().find(PairKey(starter, c));
  if (it == Compositions().end()) return std::nullopt;
  return it->second;
}

}  // namespace

CharClass CharClassOf(char32_t c) {
  return static_cast<CharClass>(RunOf(std::begin(kCharClassRuns), std::end(kCharClassRuns), c).char_class);
}

bool IsWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

void AppendLowercase(char32_t c, std::u32string* out) {
  if (c == 0x130) {  // 'İ': the only code point whose full lowercase mapping is two code points
    out->append({U'i', 0x307});
    return;
  }
  auto it = std::upper_bound(std::begin(kLowercaseRuns), std::end(kLowercaseRuns), c,
                             [](char32_t value, const LowercaseRun& run) { return value < run.first; });
  if (it != std::begin(kLowercaseRuns)) {
    const LowercaseRun& run = *(it - 1);
    if (c <= run.last && (c - run.first) % run.stride == 0) {
      out->push_back(static_cast<char32_t>(static_cast<int32_t>(c) + run.delta));
      return;
    }
  }
  out->push_back(c);
}

std::u32string ToNfd(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) AppendDecomposed(c, &out);
  OrderMarks(&out);
  return out;
}

std::u32string ToNfc(std::u32string_view text) {
  std::u32string decomposed = ToNfd(text);
  std::u32string out;
  out.reserve(decomposed.size());
  size_t starter = std::u32string::npos;  // index in `out` of the last starter (class 0)
  int last_class = -1;                    // class of the last character appended after the starter
  for (char32_t c : decomposed) {
    const int c_class = CombiningClass(c);
    // A character composes with the last starter unless one in between blocks it: a mark of the same or a
    // higher class (a starter in between would itself have become the last starter).
    if (starter != std::u32string::npos && (last_class == -1 || last_class < c_class)) {
      if (std::optional<char32_t> composed = Compose(out[starter], c)) {
        out[starter] = *composed;
        continue;
      }
    }
    if (c_class == 0) {
      starter = out.size();
      last_class = -1;
    } else {
      last_class = c_class;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace ttt::tokenizers
