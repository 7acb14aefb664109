#include "core/tokenizers/regex_pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/tokenizers/byte_unicode.h"

namespace ttt::tokenizers {
namespace {

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

struct CodeFree {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataFree {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

struct Piece {
  size_t start, end;
  bool is_match;
};

// Joins the pieces of one chunk into chunks as HF's SplitDelimiterBehavior does.
std::vector<Piece> ApplyBehavior(const std::vector<Piece>& pieces, SplitBehavior behavior) {
  std::vector<Piece> out;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      return pieces;
    case SplitBehavior::kRemoved:
      for (const Piece& p : pieces) {
        if (!p.is_match) out.push_back(p);
      }
      return out;
    case SplitBehavior::kMergedWithPrevious:
      for (const Piece& p : pieces) {
        if (p.is_match && !previous_match && !out.empty()) {
          out.back().end = p.end;
        } else {
          out.push_back(p);
        }
        previous_match = p.is_match;
      }
      return out;
    case SplitBehavior::kMergedWithNext:
      for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
        if (it->is_match && !previous_match && !out.empty()) {
          out.back().start = it->start;
        } else {
          out.push_back(*it);
        }
        previous_match = it->is_match;
      }
      std::reverse(out.begin(), out.end());
      return out;
    case SplitBehavior::kContiguous:
      for (const Piece& p : pieces) {
        if (p.is_match && previous_match) {
          out.back().end = p.end;
        } else {
          out.push_back(p);
        }
        previous_match = p.is_match;
      }
      return out;
  }
  return out;
}

}  // namespace

struct RegexPreTokenizer::CompiledRule {
  std::unique_ptr<pcre2_code, CodeFree> code;
  SplitRule rule;
};

RegexPreTokenizer::RegexPreTokenizer(std::vector<CompiledRule> rules) : rules_(std::move(rules)) {}
RegexPreTokenizer::~RegexPreTokenizer() = default;

absl::StatusOr<std::unique_ptr<RegexPreTokenizer>> RegexPreTokenizer::Create(const std::vector<SplitRule>& rules,
                                                                             std::string_view source) {
  std::vector<CompiledRule> compiled;
  for (const SplitRule& rule : rules) {
    // MATCH_INVALID_UTF: invalid UTF-8 in user text is skipped over by the matcher instead of failing it.
    // MULTILINE: HF runs these patterns with Oniguruma's Ruby syntax, where ^ and $ are line anchors.
    const uint32_t options = rule.literal ? PCRE2_LITERAL | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF
                                          : PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE;
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rule.pattern.data()), rule.pattern.size(),
                                     options, &error, &error_offset, nullptr);
    if (code == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": the pre-tokenizer regex \"",
                                                     rule.pattern, "\" does not compile (PCRE2, at offset ",
                                                     error_offset, "): ", Pcre2Message(error)));
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // optional speed-up; the interpreter is the fallback
    compiled.push_back({std::unique_ptr<pcre2_code, CodeFree>(code), rule});
  }
  return std::unique_ptr<RegexPreTokenizer>(new RegexPreTokenizer(std::move(compiled)));
}

absl::Status RegexPreTokenizer::SplitChunk(const CompiledRule& compiled, std::string_view chunk,
                                           std::vector<std::string_view>* out) const {
  // With on_byte_level_text the regex sees `mapped`; mapped_start[i] is where byte i's character starts.
  std::string mapped;
  std::vector<size_t> mapped_start;
  std::string_view subject = chunk;
  if (compiled.rule.on_byte_level_text) {
    for (size_t i = 0; i < chunk.size(); ++i) {
      mapped_start.push_back(mapped.size());
      BytesToUnicode(chunk.substr(i, 1), &mapped);
    }
    mapped_start.push_back(mapped.size());
    subject = mapped;
  }
  auto to_chunk_offset = [&](size_t offset) {
    if (!compiled.rule.on_byte_level_text) return offset;
    return static_cast<size_t>(std::lower_bound(mapped_start.begin(), mapped_start.end(), offset) -
                               mapped_start.begin());
  };

  std::unique_ptr<pcre2_match_data, MatchDataFree> match(
      pcre2_match_data_create_from_pattern(compiled.code.get(), nullptr));
  if (match == nullptr) return absl::ResourceExhaustedError("PCRE2 could not allocate match data");
  std::vector<Piece> pieces;
  size_t pos = 0;  // in `subject`
  size_t covered = 0;  // in `chunk`: where the next piece starts
  while (pos < subject.size()) {
    const int rc = pcre2_match(compiled.code.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                               pos, 0, match.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      return absl::InternalError(absl::StrCat("pre-tokenizer regex \"", compiled.rule.pattern,
                                              "\": PCRE2 failed at byte ", pos, " of a ", subject.size(),
                                              "-byte text: ", Pcre2Message(rc)));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
    const size_t start = ovector[0], end = ovector[1];
    if (end == start) {  // an empty match delimits nothing; look again one character on
      pos = start + 1;
      while (pos < subject.size() && (static_cast<unsigned char>(subject[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    const size_t chunk_start = to_chunk_offset(start), chunk_end = to_chunk_offset(end);
    if (chunk_start > covered) pieces.push_back({covered, chunk_start, false});
    pieces.push_back({chunk_start, chunk_end, true});
    covered = chunk_end;
    pos = end;
  }
  if (covered < chunk.size()) pieces.push_back({covered, chunk.size(), false});
  if (compiled.rule.invert) {
    for (Piece& p : pieces) p.is_match = !p.is_match;
  }
  for (const Piece& p : ApplyBehavior(pieces, compiled.rule.behavior)) {
    if (p.end > p.start) out->push_back(chunk.substr(p.start, p.end - p.start));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string_view>> RegexPreTokenizer::Split(std::string_view text) const {
  std::vector<std::string_view> chunks;
  if (!text.empty()) chunks.push_back(text);
  std::vector<std::string_view> next;
  for (const CompiledRule& rule : rules_) {
    next.clear();
    for (std::string_view chunk : chunks) {
      absl::Status status = SplitChunk(rule, chunk, &next);
      if (!status.ok()) return status;
    }
    chunks.swap(next);
  }
  return chunks;
}

}  // namespace ttt::tokenizers
