// A finding of `ttt-gov check`: the file it is about (relative to the repository root), the line when one
// applies, and a message that says what is wrong and what to do. Every finding is collected, so one run
// shows them all.
#pragma once

#include <string>
#include <vector>

namespace ttt::gov {

struct Problem {
  std::string file;
  int line = 0;  // 1-based; 0 when the finding is about the whole file
  std::string message;
};

// "file:line: message" (or "file: message"), the form editors and CI logs link to.
// Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on `":" + std::to_string(...)`.
inline std::string FormatProblem(const Problem& problem) {
  std::string out = problem.file;
  if (problem.line > 0) {
    out += ':';
    out += std::to_string(problem.line);
  }
  out += ": ";
  out += problem.message;
  return out;
}

using Problems = std::vector<Problem>;

}  // namespace ttt::gov
