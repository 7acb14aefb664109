// Test-only: a small governed source tree in a fresh temporary directory (a policy, a CORE, a CONTRIB
// and an EXPERIMENTAL module with sources, tests and a current module index) that passes `ttt-gov check`,
// so each test can break exactly one thing. Header-only so nothing of it enters the library.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/governance/module_index.h"
#include "core/governance/repository.h"

namespace ttt::gov::testing {

inline constexpr char kTestPolicy[] = R"(
tiers { tier: CORE min_owners: 2 requires_tests: true min_test_coverage: 0.8 requires_docs: true
        requires_perf_baseline: true min_days_in_tier: 90 merge_rule: "two approvals" }
tiers { tier: CONTRIB min_owners: 1 requires_tests: true min_test_coverage: 0.5 requires_docs: true }
tiers { tier: COMMUNITY min_owners: 1 requires_tests: true }
tiers { tier: EXPERIMENTAL min_owners: 1 }
)";

inline constexpr char kAlphaManifest[] = R"(id: "ttt/alpha/alpha"
category: "alpha"
tier: CORE
owners: "ann"
owners: "bob"
since_version: "2.0.0"
status: ACTIVE
public_headers: "core/blocks/alpha/alpha.h"
devices { device: "cpu" certification: FUNCTIONAL }
test_labels: "AlphaTest"
docs: "core/blocks/alpha/alpha.h"
spec_message: "ttt.spec.NormSpec"
summary: "The alpha block, a normalisation."
)";

inline constexpr char kBetaManifest[] = R"(id: "ttt/beta/beta"
category: "beta"
tier: CONTRIB
owners: "cid"
since_version: "2.0.0"
status: ACTIVE
public_headers: "contrib/beta/beta.h"
dependencies: "ttt/alpha/alpha"
test_labels: "BetaTest"
test_labels: "EndToEndTest"
docs: "contrib/beta/beta.h"
summary: "The beta block with a sliding window."
)";

inline constexpr char kGammaManifest[] = R"(id: "ttt/gamma/gamma"
category: "gamma"
tier: EXPERIMENTAL
owners: "dee"
since_version: "2.0.0"
status: ACTIVE
public_headers: "experimental/gamma/gamma.h"
dependencies: "ttt/beta/beta"
summary: "The gamma experiment."
)";

class GovernedTree {
 public:
  GovernedTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ttt_gov_XXXXXX").string();
    root_ = mkdtemp(pattern.data());
    Write("governance/policy.textproto", kTestPolicy);
    Write("core/blocks/alpha/module.textproto", kAlphaManifest);
    Write("core/blocks/alpha/alpha.h", "#pragma once\n#include \"core/runtime/tensor.h\"\n");
    Write("core/blocks/alpha/alpha.cc", "#include \"core/blocks/alpha/alpha.h\"\n#include \"absl/status/status.h\"\n");
    Write("core/blocks/alpha/alpha_test.cc", "#include \"core/blocks/alpha/alpha.h\"\nTEST(AlphaTest, Works) {}\n");
    Write("contrib/beta/module.textproto", kBetaManifest);
    Write("contrib/beta/beta.h", "#pragma once\n#include \"core/blocks/alpha/alpha.h\"\n");
    Write("contrib/beta/beta_test.cc", "#include \"contrib/beta/beta.h\"\nTEST_F(BetaTest, Works) {}\n");
    Write("tests/integration/end_to_end_test.cc", "TEST_P(EndToEndTest, Runs) {}\n");
    Write("experimental/gamma/module.textproto", kGammaManifest);
    Write("experimental/gamma/gamma.h", "#pragma once\n#include \"contrib/beta/beta.h\"\n");
    Write("experimental/gamma/gamma.cc", "#include \"experimental/gamma/gamma.h\"\n#include <vector>\n");
    Reindex();
  }
  ~GovernedTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  GovernedTree(const GovernedTree&) = delete;
  GovernedTree& operator=(const GovernedTree&) = delete;

  const std::string& root() const { return root_; }

  void Write(const std::string& path, const std::string& text) const {
    const std::filesystem::path full = std::filesystem::path(root_) / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << text;
  }
  void Remove(const std::string& path) const { std::filesystem::remove(std::filesystem::path(root_) / path); }
  std::string Read(const std::string& path) const {
    std::ifstream in(std::filesystem::path(root_) / path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Regenerates governance/MODULES.md, as a contributor does after editing a manifest.
  void Reindex() const { (void)WriteModuleIndex(LoadRepository(root_)); }

 private:
  std::string root_;
};

}  // namespace ttt::gov::testing
