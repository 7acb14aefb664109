#include "core/governance/version.h"

namespace ttt::gov {

std::optional<Version> ParseVersion(std::string_view text) {
  Version version{};
  size_t part = 0;
  size_t digits = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (digits == 6) return std::nullopt;  // keeps the int from overflowing
      version[part] = version[part] * 10 + (c - '0');
      ++digits;
    } else if (c == '.' && digits > 0 && part < 2) {
      ++part;
      digits = 0;
    } else {
      return std::nullopt;
    }
  }
  if (part != 2 || digits == 0) return std::nullopt;
  return version;
}

}  // namespace ttt::gov
