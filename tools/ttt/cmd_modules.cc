// `ttt modules list|search|show`: module discovery for library users, the same code as `ttt-gov modules`
// (core/governance/module_query.h) over the manifests of the source tree found from the current directory.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/governance/module_query.h"
#include "core/governance/repository.h"
#include "core/governance/tiers.h"
#include "tools/ttt/command.h"

namespace ttt::cli {
namespace {

absl::Status RunModules(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  std::string category, tier_name, root;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string* flag = a == "--category" ? &category : a == "--tier" ? &tier_name : a == "--root" ? &root : nullptr;
    if (flag != nullptr) {
      if (i + 1 >= argv.size()) return absl::InvalidArgumentError(a + " needs a value");
      *flag = argv[++i];
    } else if (a.rfind("--", 0) == 0) {
      return absl::InvalidArgumentError("unknown option " + a + ": use --category, --tier or --root");
    } else {
      words.push_back(a);
    }
  }
  if (words.empty()) return absl::InvalidArgumentError("modules needs list, search TEXT or show ID");
  if (root.empty()) {
    absl::StatusOr<std::string> found = gov::FindRepositoryRoot(".");
    if (!found.ok()) return found.status();
    root = *found;
  }
  const gov::Repository repo = gov::LoadRepository(root);
  std::vector<const gov::Module*> found;
  if (words[0] == "list") {
    std::optional<gov::Tier> tier;
    if (!tier_name.empty() && !(tier = gov::ParseTier(tier_name))) {
      return absl::InvalidArgumentError("unknown tier '" + tier_name + "': use core, contrib, community or experimental");
    }
    found = gov::ListModules(repo, category, tier);
  } else if (words[0] == "search" && words.size() >= 2) {
    std::string text;
    for (size_t i = 1; i < words.size(); ++i) text += words[i] + " ";
    found = gov::SearchModules(repo, text);
  } else if (words[0] == "show" && words.size() == 2) {
    const gov::Module* module = repo.FindById(words[1]);
    if (module == nullptr) {
      return absl::NotFoundError(absl::StrCat("no module with id '", words[1], "': see `ttt modules list`"));
    }
    std::cout << gov::FormatModuleDetails(*module);
    return absl::OkStatus();
  } else {
    return absl::InvalidArgumentError("modules needs list, search TEXT or show ID");
  }
  for (const gov::Module* module : found) std::cout << gov::FormatModuleLine(*module) << "\n";
  if (found.empty()) return absl::NotFoundError("no module matches");
  return absl::OkStatus();
}

TTT_COMMAND({"modules", "list, search and show the library's registered modules",
             "ttt modules list [--category C] [--tier core|contrib|community|experimental]\n"
             "ttt modules search \"sliding window\"   modules whose id, category or summary hold every word\n"
             "ttt modules show ttt/attention/gqa     manifest, devices and certification, spec fields\n"
             "  --root DIR: the source tree (default: found from the current directory upwards)",
             RunModules});

}  // namespace
}  // namespace ttt::cli
