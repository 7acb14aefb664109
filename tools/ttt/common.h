// Flags and helpers shared by the model-running subcommands.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/factory/model_loader.h"
#include "core/generation/chat/chat_template.h"
#include "core/generation/sampler.h"
#include "tools/ttt/command.h"

namespace ttt::cli {

// The hardware flags every model-running command takes, for usage strings.
inline constexpr char kHwFlagsUsage[] =
    "[--device cpu|n150|n300|t3k|tg|p150] [--mode accuracy|performance] [--hw-config FILE] "
    "[--weights f32|bf16|int8|bfp8|bfp4] [--kv-cache f32|bf16|bfp8] [--no-cache] [--cache-dir DIR]";

// Reads --threads and the hardware flags: --device (default cpu), --mode (default accuracy: on the cpu that
// is the exact f32 path, so outputs match references unless a faster mode is asked for), --hw-config FILE
// (a ttt.hw.ModelHwConfig in text format; its device/mode apply when the flags are not given), --weights
// (every linear op's weight dtype) and --kv-cache (the KV cache's dtype).
// `read_weights` false: --weights is left to the caller (ttt bench takes a list).
absl::StatusOr<BuildOptions> BuildOptionsFromArgs(const Args& args, bool read_weights = true);
// Parses one --weights value ("int8" is accepted for i8).
absl::StatusOr<DType> ParseWeightDType(const std::string& name);
// Reads --model (default: the bundled demo model), --tokenizer and the flags above, and loads the model.
// Converted weights go through the weight cache (--cache-dir, default WeightCache::DefaultDirectory())
// unless --no-cache.
absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer);

// The sampling flags of generate and chat, for usage strings.
inline constexpr char kSamplingUsage[] =
    "[--temperature T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--seed S]";
// Reads them: defaults greedy (temperature 0), no top-k/top-p/min-p, no penalty, seed 42; `temperature` is
// the default temperature.
absl::StatusOr<SamplingOptions> SamplingOptionsFromArgs(const Args& args, double temperature = 0.0);

// The chat template of the model --model names: --chat-template FILE (Jinja text) when given, else the
// model's own (tokenizer_config.json, chat_template.jinja, GGUF tokenizer.chat_template), else ChatML with a
// warning (models without a template, such as base models and llama2.c checkpoints).
absl::StatusOr<ChatTemplate> ChatTemplateFromArgs(const Args& args, const LoadedModel& loaded);

// On a Tenstorrent device, the cost model's totals for `model` (its own resolved config) at batch 1 over
// `prompt` tokens then `decoded` more, as one line ("" on the CPU); `ttt profile` and `ttt bench` print it.
absl::StatusOr<std::string> DevicePredictionLine(const CausalLm& model, int64_t prompt, int64_t decoded);

}  // namespace ttt::cli
