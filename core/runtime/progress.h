// Progress of long work (weight conversion, matrix regeneration, zoo builds) on a terminal: one line on stderr,
// rewritten in place, with the count, the share done, the time spent and an estimate of the time left. Silent
// when stderr is not a terminal (logs, CI, pipes) or TTT_PROGRESS=0, and for work that ends within half a
// second, so quick runs print nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ttt {

class Progress {
 public:
  // `what` names the work ("converting weights"); `total` is the number of steps.
  Progress(std::string what, int64_t total);
  ~Progress();  // clears the line it drew
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One step done; `item` names the step just finished (a layer, a matrix cell).
  void Step(std::string_view item = "");

  // The line as it would be drawn after `done` steps in `elapsed_s` seconds (exposed for tests).
  static std::string Line(const std::string& what, int64_t done, int64_t total, double elapsed_s,
                          std::string_view item);

 private:
  std::string what_;
  int64_t total_, done_ = 0;
  bool enabled_, drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace ttt
