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
// named NAME pinned to HEAD's version. Outside the repository's zoo, the data defaults (the repository's fixtures)
// are rewritten to reach the fixtures from there. Refuses a NAME that is not [A-Za-z][A-Za-z0-9_]* (at most 40),
// one that exists, and an unknown template (listing the known ones). Returns the files written.
absl::StatusOr<std::vector<std::string>> NewModel(const std::string& root, const std::string& name,
                                                  const std::string& template_name, const std::string& zoo_dir);

// model_type -> the TestSuite name of the Hugging Face decoder families `new-model --hf` scaffolds: those the
// library loads from a folder with core blocks alone (mpt's ALiBi is contrib; encoders have their own tests).
const std::vector<std::pair<std::string, std::string>>& HfModelTypes();

// `ttt-gov new-model NAME --hf DIR [--reference REF]`: scaffolds `zoo_dir`/NAME from zoo/_templates/hf for the
// Hugging Face folder DIR alone (config.json, *.safetensors; the demo also needs its tokenizer files), its family
// read from config.json's model_type. Its tests read DIR and llama.cpp's logits in REF (default DIR:
// reference.json, logits-N.f32, made by tools/zoo-reference.sh), never a GGUF file. The data defaults are
// relative to the model's directory when both are in the repository, else absolute. Refuses, besides what
// NewModel refuses, a DIR without config.json or safetensors, an unsupported model_type (listing the supported),
// and missing references (naming the command that makes them).
absl::StatusOr<std::vector<std::string>> NewModelFromHf(const std::string& root, const std::string& name,
                                                        const std::string& hf_dir, const std::string& reference_dir,
                                                        const std::string& zoo_dir);

}  // namespace ttt::gov
