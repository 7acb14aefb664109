// TTT_CHECK: for broken invariants inside the library (a programming error, never bad user input, which
// gets an absl::Status). Prints where and why, then aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace ttt::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    stream_ << file << ":" << line << ": check failed: " << condition << ": ";
  }
  [[noreturn]] ~CheckFailure() {
    std::fprintf(stderr, "%s\n", stream_.str().c_str());
    std::abort();
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

}  // namespace ttt::internal

#define TTT_CHECK(condition) \
  if (condition) {           \
  } else                     \
    ::ttt::internal::CheckFailure(__FILE__, __LINE__, #condition).stream()

#define TTT_CHECK_EQ(a, b) TTT_CHECK((a) == (b)) << (a) << " vs " << (b) << " "
