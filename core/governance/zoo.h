// The model zoo (zoo/<model>/, each an independent CMake project with a model.textproto): listing the
// models, pinning one to a library version (`ttt-gov pin`) and scaffolding a new one from a template
// (`ttt-gov new-model`).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/governance/proto/records.pb.h"

namespace ttt::gov {

struct ZooEntry {
  std::string dir;  // relative to the root: "zoo/llama"
  ZooModel model;
};

// Every zoo/<dir>/model.textproto (directories starting with '_' or '.' are not models), sorted by name.
absl::StatusOr<std::vector<ZooEntry>> LoadZooModels(const std::string& root);

// The versions a model may be pinned to: every recorded release and HEAD's project(VERSION).
std::vector<std::string> PinnableVersions(const std::string& root);

// `ttt-gov pin MODEL VERSION`: rewrites the library_version line of zoo/MODEL/model.textproto (comments and
// every other line kept). Refuses an unknown model (listing the known ones) and a version that is neither
// recorded in governance/releases.textproto nor HEAD's. Returns the previous pin.
absl::StatusOr<std::string> PinModel(const std::string& root, const std::string& model, const std::string& version);

// Template name -> the zoo directory it copies: llama -> llama, gpt2 -> gpt2, llama2c -> stories260K.
const std::vector<std::pair<std::string, std::string>>& ZooTemplates();

// `ttt-gov new-model NAME --from TEMPLATE`: copies the template model's project into `zoo_dir`/NAME (zoo_dir
// defaults to root/zoo), renaming its project, targets and test files after NAME, and writes a model.textproto
// named NAME pinned to HEAD's version. Refuses a NAME that is not [A-Za-z][A-Za-z0-9_]* (at most 40), one that
// exists, and an unknown template (listing the known ones). Returns the files written.
absl::StatusOr<std::vector<std::string>> NewModel(const std::string& root, const std::string& name,
                                                  const std::string& template_name, const std::string& zoo_dir);

}  // namespace ttt::gov
