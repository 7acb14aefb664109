// Flags and helpers shared by the model-running subcommands.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/factory/model_loader.h"
#include "tools/ttt/command.h"

namespace ttt::cli {

// Reads --threads and --weights (f32|bf16|int8|bfp8|bfp4: the storage of every linear op's weight).
absl::StatusOr<BuildOptions> BuildOptionsFromArgs(const Args& args);
// Parses one --weights value ("int8" is accepted for i8).
absl::StatusOr<DType> ParseWeightDType(const std::string& name);
// Reads --model (default: the bundled demo model), --tokenizer and the flags above, and loads the model.
absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer);

}  // namespace ttt::cli
