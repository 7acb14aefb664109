// Library versions as written in manifests and releases: MAJOR.MINOR.PATCH, compared numerically.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ttt::gov {

using Version = std::array<int, 3>;

// "2.0.0" -> {2, 0, 0}; nullopt for anything else ("2.0", "v2.0.0", "2.0.0-rc1").
std::optional<Version> ParseVersion(std::string_view text);

}  // namespace ttt::gov
