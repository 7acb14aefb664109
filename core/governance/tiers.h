// Tier names, their order (core is strongest) and the directory each tier's modules live in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/governance/proto/manifest.pb.h"

namespace ttt::gov {

// Lower is stronger: CORE 0, CONTRIB 1, COMMUNITY 2, EXPERIMENTAL 3.
int TierRank(Tier tier);
// True when code of tier `user` may depend on code of tier `used` (equal or stronger).
bool MayDependOn(Tier user, Tier used);
// "core", "contrib", "community", "experimental" (lower case, as written in docs and flags).
std::string TierName(Tier tier);
// Parses a tier name in either case ("core", "CORE"); nullopt when unknown.
std::optional<Tier> ParseTier(std::string_view name);
// The tiers whose modules may live under `repo_relative_path`'s top-level directory: core/ -> CORE,
// contrib/ -> CONTRIB or COMMUNITY, experimental/ -> EXPERIMENTAL; empty for any other directory.
std::vector<Tier> TiersForDirectory(std::string_view repo_relative_path);
// The tier code under `repo_relative_path` has when no module claims it (the weakest its directory allows),
// nullopt outside core/, contrib/ and experimental/.
std::optional<Tier> DefaultTierForPath(std::string_view repo_relative_path);
// The top-level directories that hold tiered code.
const std::vector<std::string>& TierDirectories();

}  // namespace ttt::gov
