// Hugging Face config.json (+ generation_config.json) -> ModelSpec for the llama, mistral, qwen2, gpt2 and mpt
// model types, with the defaults of the transformers classes for keys a config leaves out. An MPT spec uses
// attention position bias "alibi", which contrib registers (ttt::contrib::RegisterAlibi()).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/specs/proto/model.pb.h"

namespace ttt::formats {

struct HfConfigText {
  std::string config_json;
  std::string config_path;  // for error messages
  std::optional<std::string> generation_config_json;
  std::string generation_config_path;
  std::optional<std::string> tokenizer_config_json;  // only its add_bos_token is read
  std::string tokenizer_config_path;
};

// The spec the config describes (not yet validated: the caller runs ValidateModel). Errors name the key
// and the file: an unknown model_type, a missing required key, a value of the wrong type, an unsupported
// rope_scaling or activation.
absl::StatusOr<spec::ModelSpec> ModelSpecFromHfConfig(const HfConfigText& text);

// Reads config.json, and generation_config.json / tokenizer_config.json when present, from `dir`.
absl::StatusOr<spec::ModelSpec> LoadHfModelSpec(const std::string& dir);

}  // namespace ttt::formats
