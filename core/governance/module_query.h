// Discovery over the registered modules: list by category and tier, search by words, show one in full.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/governance/repository.h"

namespace ttt::gov {

// Modules in id order, keeping those of `category` (when non-empty) and `tier` (when set).
std::vector<const Module*> ListModules(const Repository& repo, const std::string& category,
                                       std::optional<Tier> tier);

// Modules whose id, category or summary contain every whitespace-separated word of `text`, ignoring case.
std::vector<const Module*> SearchModules(const Repository& repo, const std::string& text);

// One line per module: id, tier, category, summary.
std::string FormatModuleLine(const Module& module);

// Every manifest field, the spec message's fields from its protobuf descriptor, the devices with their
// certification, and the ctest command that runs the module's tests.
std::string FormatModuleDetails(const Module& module);

}  // namespace ttt::gov
