// `ttt-gov check`: validates every module manifest against the schema and governance/policy.textproto,
// checks the tier rule against the modules' actual #include lines, and that the generated module index is
// current. It reports every problem found, never only the first.
#pragma once

#include <string>

#include "core/governance/problem.h"
#include "core/governance/repository.h"
#include "core/runtime/library_version.h"

namespace ttt::gov {

struct CheckOptions {
  std::string root;                                // the repository (or test tree) to check
  std::string library_version = std::string(LibraryVersion());  // deprecated modules are due against this
  // When set (a git revision): the review rule of each module the commits after it touch
  // (core/governance/review.h).
  std::string since = {};
};

struct CheckReport {
  Problems problems;  // each one fails the check
  Problems warnings;  // worth fixing, do not fail it
  int modules_checked = 0;
  bool ok() const { return problems.empty(); }
};

CheckReport RunChecks(const CheckOptions& options);

// The checks, one concern each, so that tests and other tools (promotion) can run them alone.
// Policy file: every tier defined once, values in range, a stronger tier never demanding less.
void CheckPolicy(const Repository& repo, Problems* problems);
// One manifest's fields: id, category, tier against its directory, owners, versions, status, headers,
// devices, docs, spec message.
void CheckManifestFields(const Repository& repo, const Module& module, const CheckOptions& options,
                         CheckReport* report);
// No two manifests claim one id.
void CheckUniqueIds(const Repository& repo, Problems* problems);
// Manifest dependencies name known modules of an equal or stronger tier; every #include of the module's
// sources lands in an equal or stronger tier, and each included module is a declared dependency.
void CheckDependencies(const Repository& repo, const Module& module, CheckReport* report);
// test_labels name GoogleTest suites defined in the module's directory or under tests/; tiers whose
// policy requires tests must declare some.
void CheckTests(const Repository& repo, const Module& module, CheckReport* report);
// Inside core/: every directory is a layer of the policy's core_layers (or built apart, core_outside_layers),
// and no library file includes a header of a higher layer (schema headers, *.pb.h, are below every layer).
void CheckLayers(const Repository& repo, Problems* problems);
// governance/MODULES.md is byte-equal to what `ttt-gov index` would write.
void CheckModuleIndex(const Repository& repo, Problems* problems);

}  // namespace ttt::gov
