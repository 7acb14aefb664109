#include "core/runtime/logging.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace ttt {

absl::Status SetLogLevel(absl::string_view level) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown log level '", level, "': use trace, debug, info, warn, error, critical or off"));
  }
  spdlog::set_level(parsed);
  return absl::OkStatus();
}

namespace {
// Applies TTT_LOG_LEVEL once at start-up; the default is warn so tools print only their results.
const bool kLogLevelFromEnvironment = [] {
  const char* env = std::getenv("TTT_LOG_LEVEL");
  if (env == nullptr || !SetLogLevel(env).ok()) spdlog::set_level(spdlog::level::warn);
  return true;
}();
}  // namespace

}  // namespace ttt
