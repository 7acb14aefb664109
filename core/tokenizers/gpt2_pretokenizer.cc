#include "core/tokenizers/gpt2_pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "absl/strings/str_cat.h"

namespace ttt::tokenizers {
namespace {

constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

struct Gpt2PreTokenizer::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

Gpt2PreTokenizer::Gpt2PreTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gpt2PreTokenizer::~Gpt2PreTokenizer() = default;

absl::StatusOr<std::unique_ptr<Gpt2PreTokenizer>> Gpt2PreTokenizer::Create() {
  auto impl = std::make_unique<Impl>();
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  // MATCH_INVALID_UTF: invalid UTF-8 in user text is skipped over by the matcher instead of failing it.
  impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kGpt2Pattern.data()), kGpt2Pattern.size(),
                             PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &error_offset, nullptr);
  if (impl->code == nullptr) {
    return absl::InternalError(absl::StrCat("PCRE2 rejected the GPT-2 pre-tokenizer regex at offset ",
                                            error_offset, ": ", Pcre2Message(error),
                                            "; check that libpcre2-8 is built with Unicode support"));
  }
  pcre2_jit_compile(impl->code, PCRE2_JIT_COMPLETE);  // optional speed-up; the interpreter is the fallback
  return std::unique_ptr<Gpt2PreTokenizer>(new Gpt2PreTokenizer(std::move(impl)));
}

absl::StatusOr<std::vector<std::string_view>> Gpt2PreTokenizer::Split(std::string_view text) const {
  std::vector<std::string_view> chunks;
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  if (match == nullptr) return absl::ResourceExhaustedError("PCRE2 could not allocate match data");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;
  absl::Status status;
  while (pos < text.size()) {
    const int rc = pcre2_match(impl_->code, subject, text.size(), pos, 0, match, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      status = absl::InternalError(absl::StrCat("GPT-2 pre-tokenizer: PCRE2 failed at byte ", pos, " of a ",
                                                text.size(), "-byte text: ", Pcre2Message(rc)));
      break;
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
    const size_t start = ovector[0];
    size_t end = ovector[1];
    if (start > pos) chunks.push_back(text.substr(pos, start - pos));  // bytes no alternative matched
    if (end <= start) end = start + 1;  // the pattern cannot match empty; never loop if it somehow did
    chunks.push_back(text.substr(start, end - start));
    pos = end;
  }
  if (status.ok() && pos < text.size()) chunks.push_back(text.substr(pos));
  pcre2_match_data_free(match);
  if (!status.ok()) return status;
  return chunks;
}

}  // namespace ttt::tokenizers
