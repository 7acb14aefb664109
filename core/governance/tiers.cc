#include "core/governance/tiers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace ttt::gov {

int TierRank(Tier tier) {
  switch (tier) {
    case CORE: return 0;
    case CONTRIB: return 1;
    case COMMUNITY: return 2;
    case EXPERIMENTAL: return 3;
    default: return 4;  // unspecified is weaker than everything, so it never passes a tier check
  }
}

bool MayDependOn(Tier user, Tier used) { return TierRank(used) <= TierRank(user); }

std::string TierName(Tier tier) {
  switch (tier) {
    case CORE: return "core";
    case CONTRIB: return "contrib";
    case COMMUNITY: return "community";
    case EXPERIMENTAL: return "experimental";
    default: return "unspecified";
  }
}

std::optional<Tier> ParseTier(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  for (Tier tier : {CORE, CONTRIB, COMMUNITY, EXPERIMENTAL}) {
    if (TierName(tier) == lower) return tier;
  }
  return std::nullopt;
}

const std::vector<std::string>& TierDirectories() {
  static const std::vector<std::string> dirs = {"core", "contrib", "experimental"};
  return dirs;
}

std::vector<Tier> TiersForDirectory(std::string_view path) {
  const absl::string_view p(path.data(), path.size());
  if (absl::StartsWith(p, "core/")) return {CORE};
  if (absl::StartsWith(p, "contrib/")) return {CONTRIB, COMMUNITY};
  if (absl::StartsWith(p, "experimental/")) return {EXPERIMENTAL};
  return {};
}

std::optional<Tier> DefaultTierForPath(std::string_view path) {
  std::vector<Tier> tiers = TiersForDirectory(path);
  if (tiers.empty()) return std::nullopt;
  return tiers.back();
}

}  // namespace ttt::gov
