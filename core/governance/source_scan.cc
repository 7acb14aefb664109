#include "core/governance/source_scan.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "core/governance/tiers.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Consumes `word` at the front of `rest` (after spaces); false, leaving `rest` alone, when absent.
bool Consume(absl::string_view& rest, absl::string_view word) {
  absl::string_view r = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&r, word)) return false;
  rest = r;
  return true;
}

bool IsIdentChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool IsSourceFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".h" || ext == ".cc";
}

}  // namespace

bool IsTestFile(const std::string& path) { return absl::EndsWith(path, "_test.cc"); }

std::vector<IncludeLine> ScanIncludes(std::string_view source) {
  std::vector<IncludeLine> includes;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(Absl(source), '\n')) {
    ++number;
    absl::string_view rest = line;
    if (!Consume(rest, "#") || !Consume(rest, "include") || !Consume(rest, "\"")) continue;
    const size_t close = rest.find('"');
    if (close == absl::string_view::npos || close == 0) continue;
    includes.push_back({number, std::string(rest.substr(0, close))});
  }
  return includes;
}

std::vector<std::string> ScanTestSuites(std::string_view source) {
  static constexpr absl::string_view kMacros[] = {"TYPED_TEST_P", "TYPED_TEST", "TEST_F", "TEST_P", "TEST"};
  std::vector<std::string> suites;
  for (absl::string_view line : absl::StrSplit(Absl(source), '\n')) {
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
    bool matched = false;
    for (absl::string_view macro : kMacros) {
      if (absl::ConsumePrefix(&rest, macro)) {
        matched = true;
        break;
      }
    }
    if (!matched || !Consume(rest, "(")) continue;
    rest = absl::StripLeadingAsciiWhitespace(rest);
    size_t n = 0;
    while (n < rest.size() && IsIdentChar(rest[n])) ++n;
    if (n == 0) continue;
    absl::string_view after = rest.substr(n);
    if (!Consume(after, ",")) continue;
    suites.emplace_back(rest.substr(0, n));
  }
  return suites;
}

std::vector<std::string> ModuleSourceFiles(const Repository& repo, const Module& module) {
  std::vector<std::string> files;
  std::error_code ec;
  const fs::path base = fs::path(repo.root) / module.dir;
  for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || !IsSourceFile(it->path())) continue;
    const std::string rel = it->path().lexically_relative(repo.root).generic_string();
    if (repo.ModuleForPath(rel) == &module) files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> TestFilesUnder(const std::string& root, const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  const fs::path base = fs::path(root) / dir;
  if (!fs::is_directory(base, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (IsTestFile(rel)) files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ResolveInclude(const std::string& root, const std::string& including_file,
                           const std::string& included) {
  if (!TiersForDirectory(included).empty()) return fs::path(included).lexically_normal().generic_string();
  const fs::path beside = fs::path(including_file).parent_path() / included;
  std::error_code ec;
  if (fs::exists(fs::path(root) / beside, ec)) return beside.lexically_normal().generic_string();
  return "";
}

}  // namespace ttt::gov
