// The front door: a path a user already has (a Hugging Face directory, a GGUF file or a llama2.c
// checkpoint) becomes a ready CausalLm and its tokenizer.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/patterns/causal_lm.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt {

struct LoadedModel {
  std::unique_ptr<CausalLm> model;
  std::unique_ptr<tokenizers::Tokenizer> tokenizer;  // null when none was found and none was asked for
  std::string source;                                // what was loaded, for messages
};

// `tokenizer_path` empty: use the tokenizer the checkpoint names or ships (tokenizer.json, the GGUF's own,
// tok512.bin / tokenizer.bin beside a llama2.c checkpoint).
absl::StatusOr<LoadedModel> LoadModel(const std::string& model_path, const std::string& tokenizer_path = "",
                                      bool require_tokenizer = true, const BuildOptions& build = {});

// Identity of a checkpoint for weight-cache keys: absolute path, size and modification time (a changed
// file is a different source, so its stale entries are never used).
std::string SourceIdentity(const std::string& path);

// The bundled demo model (stories260K): $TTT_DEMO_MODEL, else demo/stories260K.bin in PackageDataDir()
// (core/runtime/data_dir.h: an installed prefix's share/ttt, or a build tree's links to the source tree's copy).
std::string DemoModelPath();

}  // namespace ttt
