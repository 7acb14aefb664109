// governance/MODULES.md: the table of every registered module, generated from the manifests by
// `ttt-gov index` and checked to be current by `ttt-gov check`.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "core/governance/repository.h"

namespace ttt::gov {

// The file's full text; modules in id order, so the output depends only on the manifests.
std::string RenderModuleIndex(const Repository& repo);

// Writes RenderModuleIndex to root/governance/MODULES.md atomically (temporary file, then rename).
absl::Status WriteModuleIndex(const Repository& repo);

// "cpu (functional), n150 (performance-verified)"; "-" for none.
std::string DevicesCell(const ModuleManifest& manifest);
// "active"; "deprecated: use X, removed in V".
std::string StatusCell(const ModuleManifest& manifest);

}  // namespace ttt::gov
