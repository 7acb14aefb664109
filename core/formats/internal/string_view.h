// This Debian build of Abseil has its own absl::string_view (not std::string_view), so StrCat and
// hashed lookups need an explicit conversion from the std::string_view the public headers use.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace ttt::formats::internal {

inline absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace ttt::formats::internal
