// Small file, process and text-proto helpers shared by the governance commands (pin, release, new-model,
// promote, matrix). Errors are absl::Status naming the file or command and what to try.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace google::protobuf {
class Message;
}

namespace ttt::gov {

absl::StatusOr<std::string> ReadTextFile(const std::string& path);
// Writes through a temporary file and a rename, so a crash never leaves half a file.
absl::Status WriteTextFile(const std::string& path, const std::string& text);

// The entries of a baseline file (governance/matrix.baseline, governance/api.baseline): one `KEY WORDS<sep>reason`
// per line, blank lines and `#` comments skipped. `key` holds the words before the first `separator` (the whole
// line when there is none) and `reason` what follows it, trimmed (empty when missing: the caller says what to
// write). A missing file has no entries.
struct BaselineEntry {
  int line = 0;
  std::vector<std::string> key;
  std::string reason;
};
absl::StatusOr<std::vector<BaselineEntry>> ReadBaselineEntries(const std::string& path, const std::string& separator);

// Parses text-format `path` into `message`; NotFound when missing, InvalidArgument (with the line) when bad.
absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};
// Runs `command` with /bin/sh, capturing its output; exit_code is the command's status.
CommandResult RunCommand(const std::string& command);
// The first compiler or CMake error of a failed configure or build, one line (a CMake error with the message
// line that follows it), with `strip` (an absolute directory, e.g. the source tree) removed from paths so the
// text stays readable; the output's tail when no line says "error".
std::string FirstBuildError(const std::string& output, const std::string& strip);
// `text` quoted for /bin/sh.
std::string ShellQuote(const std::string& text);

// Today's date in UTC, YYYY-MM-DD.
std::string TodayUtc();
// Days from `from` to `to` (both YYYY-MM-DD); nullopt-like -1 when either does not parse.
int DaysBetween(const std::string& from, const std::string& to);

// The VERSION of `project(ttt VERSION X.Y.Z ...)` in the text of a top-level CMakeLists.txt; "" when absent.
std::string ProjectVersionFromCMake(const std::string& cmakelists_text);

}  // namespace ttt::gov
