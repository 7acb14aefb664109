// Flags and helpers shared by the model-running subcommands.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/factory/model_loader.h"
#include "tools/ttt/command.h"

namespace ttt::cli {

// Reads --model (default: the bundled demo model), --tokenizer and --threads, and loads the model.
absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer);

}  // namespace ttt::cli
