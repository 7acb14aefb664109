// Logging goes through spdlog; users set the level with SetLogLevel or the TTT_LOG_LEVEL variable.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "spdlog/spdlog.h"

namespace ttt {

// Accepts trace, debug, info, warn, error, critical, off.
absl::Status SetLogLevel(absl::string_view level);

}  // namespace ttt
