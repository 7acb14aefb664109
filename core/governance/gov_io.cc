#include "core/governance/gov_io.h"

#include <stdio.h>
#include <sys/wait.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/governance/repository.h"

namespace ttt::gov {

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the file"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::vector<BaselineEntry>> ReadBaselineEntries(const std::string& path, const std::string& separator) {
  std::vector<BaselineEntry> entries;
  if (!std::filesystem::exists(path)) return entries;
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  int n = 0;
  for (absl::string_view raw : absl::StrSplit(*text, '\n')) {
    ++n;
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    const size_t at = line.find(separator);
    BaselineEntry e;
    e.line = n;
    e.key = absl::StrSplit(line.substr(0, at), ' ', absl::SkipEmpty());
    if (at != absl::string_view::npos) e.reason = std::string(absl::StripAsciiWhitespace(line.substr(at + separator.size())));
    entries.push_back(std::move(e));
  }
  return entries;
}

absl::Status WriteTextFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return absl::InternalError(absl::StrCat(path, ": cannot write (disk full or read-only?)"));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat(path, ": cannot replace the file: ", ec.message()));
  return absl::OkStatus();
}

absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  Problems problems;
  if (!ParseTextProtoWithProblems(*text, path, message, &problems)) {
    std::string all;
    for (const Problem& p : problems) absl::StrAppend(&all, all.empty() ? "" : "; ", FormatProblem(p));
    return absl::InvalidArgumentError(all.empty() ? path + ": not valid text format" : all);
  }
  return absl::OkStatus();
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string FirstBuildError(const std::string& output, const std::string& strip) {
  // Line by line rather than one regex over the whole log: libstdc++'s regex recurses per character.
  const std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool cmake = absl::StrContains(lines[i], "CMake Error");
    if (!cmake && !absl::StrContains(lines[i], "error:")) continue;
    std::string line(absl::StripAsciiWhitespace(lines[i]));
    // CMake puts its message on the lines after "CMake Error at FILE:LINE (message):".
    for (size_t j = i + 1; cmake && j < lines.size(); ++j) {
      const absl::string_view next = absl::StripAsciiWhitespace(lines[j]);
      if (next.empty()) continue;
      absl::StrAppend(&line, " ", next);
      break;
    }
    if (!strip.empty()) line = absl::StrReplaceAll(line, {{strip + "/", ""}});
    return line.substr(0, 400);
  }
  return output.size() > 300 ? output.substr(output.size() - 300) : output;
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int DaysBetween(const std::string& from, const std::string& to) {
  auto parse = [](const std::string& s, std::time_t* out) {
    std::tm tm{};
    if (sscanf(s.c_str(), "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return true;
  };
  std::time_t a, b;
  if (!parse(from, &a) || !parse(to, &b)) return -1;
  return static_cast<int>((b - a) / 86400);
}

std::string ProjectVersionFromCMake(const std::string& cmakelists_text) {
  static const std::regex kProject(R"(project\s*\(\s*ttt\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+))");
  std::smatch m;
  return std::regex_search(cmakelists_text, m, kProject) ? m[1].str() : "";
}

}  // namespace ttt::gov
