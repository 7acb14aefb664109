// Flags and helpers shared by the model-running subcommands.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/factory/model_loader.h"
#include "core/generation/chat/chat_template.h"
#include "core/generation/sampler.h"
#include "core/hwconfig/specialize_block.h"
#include "tools/ttt/command.h"

namespace ttt::cli {

// -m/--model and --tokenizer.
FlagSet ModelFlags();
// -t/--threads.
FlagSet ThreadsFlag();
// The hardware flags every model-running command takes (--device, --mode, --hw-config, --weights, --kv-cache,
// --no-cache, --cache-dir).
FlagSet HardwareFlags();

// Reads --threads and the hardware flags: --device (default cpu), --mode (default accuracy: on the cpu that
// is the exact f32 path, so outputs match references unless a faster mode is asked for), --hw-config FILE
// (a ttt.hw.ModelHwConfig in text format; its device/mode apply when the flags are not given), --weights
// (every linear op's weight dtype) and --kv-cache (the KV cache's dtype).
// `lists` true: --weights and --threads are lists the caller reads (ttt bench).
absl::StatusOr<BuildOptions> BuildOptionsFromArgs(const Args& args, bool lists = false);
// --device, --mode, --hw-config (its device/mode apply unless the flags are given) and, with `weights`,
// --weights: what any pattern runs as (the loaders' options of an encoder or an encoder-decoder, and the
// first part of BuildOptionsFromArgs).
absl::StatusOr<DeviceOptions> DeviceOptionsFromArgs(const Args& args, bool weights = true);
// Parses one --weights value ("int8" is accepted for i8).
absl::StatusOr<DType> ParseWeightDType(const std::string& name);
// --cache-max-size, else $TTT_CACHE_MAX_SIZE, in bytes; 0 when neither is set (no limit).
absl::StatusOr<int64_t> CacheMaxSizeFromArgs(const Args& args);
// Reads --model (default: the bundled demo model), --tokenizer and the flags above (the command declares
// ModelFlags(), ThreadsFlag() and HardwareFlags()), and loads the model.
// Converted weights go through the weight cache (--cache-dir, default WeightCache::DefaultDirectory())
// unless --no-cache.
// A multi-chip device runs tensor-parallel over `transport` when given (MPI), else in this process.
absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer,
                                              std::shared_ptr<Transport> transport = nullptr);

// The sampling flags of generate and chat: --temp/--temperature (default `temperature`; 0 is greedy), --top-k,
// --top-p, --min-p, --repeat-penalty, -s/--seed (42). Off by default: top-k 0, top-p 1, min-p 0, penalty 1.
FlagSet SamplingFlags(const std::string& temperature);
// Reads them; warns when --seed, --top-k, --top-p or --min-p are given with temperature 0, where greedy
// decoding ignores them.
absl::StatusOr<SamplingOptions> SamplingOptionsFromArgs(const Args& args);

// --chat-template FILE.
FlagSet ChatTemplateFlags();
// The chat template of the model --model names: --chat-template FILE (Jinja text) when given, else the
// model's own (tokenizer_config.json, chat_template.jinja, GGUF tokenizer.chat_template), else ChatML with a
// warning (models without a template, such as base models and llama2.c checkpoints).
absl::StatusOr<ChatTemplate> ChatTemplateFromArgs(const Args& args, const LoadedModel& loaded);

// On a Tenstorrent device, the cost model's totals for `model` (its own resolved config) at batch 1 over
// `prompt` tokens then `decoded` more, as one line ("" on the CPU); `ttt profile` and `ttt bench` print it.
absl::StatusOr<std::string> DevicePredictionLine(const CausalLm& model, int64_t prompt, int64_t decoded);

}  // namespace ttt::cli
