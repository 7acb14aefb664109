#include "tools/ttt/common.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/formats/weight_cache.h"
#include "core/formats/weight_cache_maintenance.h"
#include "core/hwconfig/resolve.h"
#include "core/profiler/cost_model.h"
#include "core/specs/device_kind.h"
#include "core/runtime/dtype_traits.h"
#include "core/runtime/logging.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"

namespace ttt::cli {

FlagSet ModelFlags() {
  return {{"-m,--model", "model: a GGUF file, a Hugging Face folder, a llama2.c .bin (default: the bundled demo)",
           "", FlagKind::kText, "Model"},
          {"--tokenizer", "tokenizer file when the model has none (llama2.c tokenizer.bin, tokenizer.json)", "",
           FlagKind::kText, "Model"}};
}

FlagSet ThreadsFlag() {
  return {{"-t,--threads", "worker threads (0: one per core)", "0", FlagKind::kInt, "Hardware"}};
}

FlagSet HardwareFlags() {
  const std::string group = "Hardware";
  return {{"--device", "cpu, or an emulated Tenstorrent device: n150, n300, t3k, tg, p150; NAME:RxC uses an R x C submesh "
                         "of its chips (t3k:1x4)", "cpu", FlagKind::kText,
           group},
          {"--mode", "accuracy (the exact f32 path on the cpu) or performance", "accuracy", FlagKind::kText, group},
          {"--hw-config", "a ttt.hw.ModelHwConfig text file (its device/mode apply unless the flags are given)", "",
           FlagKind::kText, group},
          {"--weights", "every linear op's weight dtype: f32, bf16, int8, bfp8, bfp4 (default: the config's)", "",
           FlagKind::kText, group},
          {"--kv-cache", "the KV cache's dtype: f32, bf16, bfp8 (default: the config's)", "", FlagKind::kText, group},
          {"--no-cache", "do not read or write the converted-weight cache", "", FlagKind::kSwitch, group},
          {"--cache-dir", "converted-weight cache (default: $TTT_CACHE_DIR, else $XDG_CACHE_HOME/ttt, ~/.cache/ttt)",
           "", FlagKind::kText, group},
          {"--cache-max-size", "evict least recently used cache entries beyond this size, e.g. 20G (default: "
                               "$TTT_CACHE_MAX_SIZE, else no limit)", "", FlagKind::kText, group},
          {"--memory-budget", "the most weight bytes this process may hold, e.g. 8G; a model over it is refused "
                              "before it loads (default: no limit). Over MPI each rank holds only its "
                              "shards", "", FlagKind::kText, group}};
}

absl::StatusOr<BuildOptions> BuildOptionsFromArgs(const Args& args, bool lists) {
  if (!lists) {
    long long threads = 0;
    TTT_RETURN_IF_ERROR(args.GetInt("threads", &threads));
    SetNumThreads(static_cast<int>(threads));
  }
  TTT_ASSIGN_OR_RETURN(DeviceOptions device, DeviceOptionsFromArgs(args, /*weights=*/!lists));
  BuildOptions build;
  build.device = std::move(device.device);
  build.mode = device.mode;
  build.hw_config = std::move(device.hw_config);
  build.hw_config_name = std::move(device.hw_config_name);
  build.linear_weight_dtype = device.linear_weight_dtype;
  if (args.Has("kv-cache")) {
    TTT_ASSIGN_OR_RETURN(build.kv_cache_dtype, ParseDTypeForRole(args.Get("kv-cache"), kKvCacheRole, "--kv-cache"));
  }
  if (args.Has("memory-budget")) {
    auto bytes = ParseByteSize(args.Get("memory-budget"));
    if (!bytes.ok()) return Annotate(bytes.status(), "--memory-budget");
    build.memory_budget = *bytes;
  }
  return build;
}

absl::StatusOr<DeviceOptions> DeviceOptionsFromArgs(const Args& args, bool weights) {
  DeviceOptions options;
  if (const std::string file = args.Get("hw-config"); !file.empty()) {
    TTT_ASSIGN_OR_RETURN(options.hw_config, ReadModelHwConfigFile(file));
    options.hw_config_name = file;
    if (!options.hw_config->device().empty()) options.device = options.hw_config->device();
    if (options.hw_config->mode() != hw::CONFIG_MODE_UNSPECIFIED) options.mode = options.hw_config->mode();
  }
  if (args.Has("device")) options.device = args.Get("device");
  if (args.Has("mode")) {
    auto mode = ParseConfigMode(args.Get("mode"));
    if (!mode.ok()) return Annotate(mode.status(), "--mode");
    options.mode = *mode;
  }
  if (weights && args.Has("weights")) {
    TTT_ASSIGN_OR_RETURN(options.linear_weight_dtype, ParseWeightDType(args.Get("weights")));
  }
  return options;
}

absl::StatusOr<DType> ParseWeightDType(const std::string& name) {
  return ParseDTypeForRole(name, kWeightRole, "--weights");
}

absl::StatusOr<int64_t> CacheMaxSizeFromArgs(const Args& args) {
  const char* env = std::getenv("TTT_CACHE_MAX_SIZE");
  const std::string text = args.Has("cache-max-size") ? args.Get("cache-max-size") : env != nullptr ? env : "";
  if (text.empty()) return 0;
  auto bytes = ParseByteSize(text);
  if (!bytes.ok()) return Annotate(bytes.status(), "--cache-max-size / $TTT_CACHE_MAX_SIZE");
  return bytes;
}

absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer,
                                              std::shared_ptr<Transport> transport) {
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  build.transport = std::move(transport);
  std::string model = args.Get("model");
  if (model.empty()) model = DemoModelPath();
  std::unique_ptr<WeightCache> cache;  // only needed while the model is built
  const std::string dir = args.Has("cache-dir") ? args.Get("cache-dir") : WeightCache::DefaultDirectory();
  if (!args.Has("no-cache")) {
    auto opened = WeightCache::Open(dir);
    if (opened.ok()) {
      cache = *std::move(opened);
      TTT_ASSIGN_OR_RETURN(const int64_t max_bytes, CacheMaxSizeFromArgs(args));
      cache->set_max_bytes(max_bytes);
      build.weight_cache = cache.get();
    } else {
      spdlog::warn("weight cache off: {}", std::string(opened.status().message()));
    }
  }
  return LoadModel(model, args.Get("tokenizer"), require_tokenizer, build);
}

FlagSet SamplingFlags(const std::string& temperature) {
  const std::string group = "Sampling";
  return {{"--temp,--temperature", "softmax temperature; 0 is greedy (the other sampling flags then do nothing)",
           temperature, FlagKind::kNumber, group},
          {"--top-k", "keep the K most likely tokens (0: all)", "0", FlagKind::kInt, group},
          {"--top-p", "keep the most likely tokens up to this probability mass (1: all)", "1", FlagKind::kNumber,
           group},
          {"--min-p", "drop tokens less likely than this fraction of the most likely one (0: none)", "0",
           FlagKind::kNumber, group},
          {"--repeat-penalty", "penalty on tokens already generated (1: none)", "1", FlagKind::kNumber, group},
          {"-s,--seed", "random seed of the sampler", "42", FlagKind::kInt, group}};
}

absl::StatusOr<SamplingOptions> SamplingOptionsFromArgs(const Args& args) {
  long long top_k = 0, seed = 0;
  double temperature = 0, top_p = 1, min_p = 0, penalty = 1;
  TTT_RETURN_IF_ERROR(args.GetDouble("temp", &temperature));
  TTT_RETURN_IF_ERROR(args.GetInt("top-k", &top_k));
  TTT_RETURN_IF_ERROR(args.GetDouble("top-p", &top_p));
  TTT_RETURN_IF_ERROR(args.GetDouble("min-p", &min_p));
  TTT_RETURN_IF_ERROR(args.GetDouble("repeat-penalty", &penalty));
  TTT_RETURN_IF_ERROR(args.GetInt("seed", &seed));
  if (temperature == 0) {
    for (const char* ignored : {"seed", "top-k", "top-p", "min-p"}) {
      if (args.Has(ignored)) {
        spdlog::warn("--{} does nothing at temperature 0 (greedy decoding); give --temp T > 0 to sample", ignored);
      }
    }
  }
  SamplingOptions options{.temperature = static_cast<float>(temperature), .top_k = static_cast<int32_t>(top_k),
                          .top_p = static_cast<float>(top_p), .min_p = static_cast<float>(min_p),
                          .repetition_penalty = static_cast<float>(penalty), .seed = static_cast<uint64_t>(seed)};
  TTT_RETURN_IF_ERROR(ValidateSamplingOptions(options));
  return options;
}

FlagSet ChatTemplateFlags() {
  return {{"--chat-template,--chat-template-file", "a Jinja chat template file (default: the model's own, else ChatML)", "",
           FlagKind::kText, "Model"}};
}

absl::StatusOr<ChatTemplate> ChatTemplateFromArgs(const Args& args, const LoadedModel& loaded) {
  const tokenizers::Tokenizer& tok = *loaded.tokenizer;
  const std::string bos = tok.bos_id() >= 0 ? tok.TokenText(tok.bos_id()) : "";
  const std::string eos = tok.eos_id() >= 0 ? tok.TokenText(tok.eos_id()) : "";
  if (args.Has("chat-template")) {
    const std::string file = args.Get("chat-template");
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("--chat-template: cannot open ", file));
    std::ostringstream text;
    text << in.rdbuf();
    auto tmpl = ChatTemplate::FromString(text.str(), bos, eos);
    if (!tmpl.ok()) return Annotate(tmpl.status(), absl::StrCat("--chat-template ", file));
    return tmpl;
  }
  std::string model = args.Get("model");
  if (model.empty()) model = DemoModelPath();
  auto own = ChatTemplate::FromModelPath(model);
  if (own.ok() || !absl::IsNotFound(own.status())) return own;
  spdlog::warn("{} has no chat template ({}); using ChatML. Give the model's with --chat-template FILE",
               model, std::string(own.status().message()));
  return ChatTemplate::FromString(
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
      "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
      bos, "<|im_end|>");
}

absl::StatusOr<std::string> DevicePredictionLine(const CausalLm& model, int64_t prompt, int64_t decoded) {
  if (!IsTenstorrent(model.hw_config().device)) return std::string();
  TTT_ASSIGN_OR_RETURN(const profiler::StackCosts stack, profiler::CostsForStack("tt-transformers"));
  TTT_ASSIGN_OR_RETURN(const profiler::Prediction p,
                       profiler::Predict(model.validated_spec(), model.hw_config(), stack,
                                         {.batch = 1, .context = std::max<int64_t>(1, prompt + decoded),
                                          .prompt_tokens = std::max<int64_t>(1, prompt)}));
  return profiler::DescribeTotals(p);
}

}  // namespace ttt::cli
