#include "core/runtime/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttt {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kQuietSeconds = 0.5;   // work shorter than this prints nothing
constexpr double kRedrawSeconds = 0.1;  // at most ten redraws a second

bool ProgressWanted() {
  const char* env = std::getenv("TTT_PROGRESS");
  if (env != nullptr && std::string_view(env) == "0") return false;
  return isatty(STDERR_FILENO) != 0;
}

std::string Duration(double s) {
  if (s < 60) return absl::StrFormat("%.0fs", s);
  if (s < 3600) return absl::StrFormat("%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return absl::StrFormat("%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) / 60 % 60);
}

}  // namespace

Progress::Progress(std::string what, int64_t total)
    : what_(std::move(what)), total_(total), enabled_(total > 0 && ProgressWanted()), start_(Clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

std::string Progress::Line(const std::string& what, int64_t done, int64_t total, double elapsed_s,
                           std::string_view item) {
  std::string line = absl::StrFormat("%s: %d/%d (%d%%), %s", what, done, total,
                                     static_cast<int>(100 * done / std::max<int64_t>(total, 1)), Duration(elapsed_s));
  if (done > 0 && done < total) {
    absl::StrAppend(&line, ", ~", Duration(elapsed_s / done * static_cast<double>(total - done)), " left");
  }
  if (!item.empty()) absl::StrAppend(&line, " - ", absl::string_view(item.data(), item.size()));
  return line;
}

void Progress::Step(std::string_view item) {
  ++done_;
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < kQuietSeconds || std::chrono::duration<double>(now - last_draw_).count() < kRedrawSeconds) return;
  last_draw_ = now;
  drawn_ = true;
  std::string line = Line(what_, done_, total_, elapsed, item);
  if (line.size() > 118) line.resize(118);  // one line on an ordinary terminal, so \r can rewrite it
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

}  // namespace ttt
