#include "tools/ttt/common.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/formats/weight_cache.h"
#include "core/hwconfig/resolve.h"
#include "core/profiler/cost_model.h"
#include "core/specs/device_kind.h"
#include "core/runtime/dtype_traits.h"
#include "core/runtime/logging.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"

namespace ttt::cli {

absl::StatusOr<BuildOptions> BuildOptionsFromArgs(const Args& args, bool read_weights) {
  long long threads = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("threads", 0, &threads));
  SetNumThreads(static_cast<int>(threads));
  BuildOptions build;
  const std::string file = args.Get("hw-config");
  if (!file.empty()) {
    TTT_ASSIGN_OR_RETURN(build.hw_config, ReadModelHwConfigFile(file));
    build.hw_config_name = file;
    if (!build.hw_config->device().empty()) build.device = build.hw_config->device();
    if (build.hw_config->mode() != hw::CONFIG_MODE_UNSPECIFIED) build.mode = build.hw_config->mode();
  }
  if (args.Has("device")) build.device = args.Get("device");
  if (args.Has("mode")) {
    auto mode = ParseConfigMode(args.Get("mode"));
    if (!mode.ok()) return Annotate(mode.status(), "--mode");
    build.mode = *mode;
  }
  if (read_weights && args.Has("weights")) {
    TTT_ASSIGN_OR_RETURN(build.linear_weight_dtype, ParseWeightDType(args.Get("weights")));
  }
  if (args.Has("kv-cache")) {
    TTT_ASSIGN_OR_RETURN(build.kv_cache_dtype, ParseDTypeForRole(args.Get("kv-cache"), kKvCacheRole, "--kv-cache"));
  }
  return build;
}

absl::StatusOr<DType> ParseWeightDType(const std::string& name) {
  return ParseDTypeForRole(name, kWeightRole, "--weights");
}

absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer) {
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  std::string model = args.Get("model");
  if (model.empty()) model = DemoModelPath();
  std::unique_ptr<WeightCache> cache;  // only needed while the model is built
  const std::string dir = args.Get("cache-dir", WeightCache::DefaultDirectory());
  if (!args.Has("no-cache")) {
    auto opened = WeightCache::Open(dir);
    if (opened.ok()) {
      cache = *std::move(opened);
      build.weight_cache = cache.get();
    } else {
      spdlog::warn("weight cache off: {}", std::string(opened.status().message()));
    }
  }
  return LoadModel(model, args.Get("tokenizer"), require_tokenizer, build);
}

absl::StatusOr<SamplingOptions> SamplingOptionsFromArgs(const Args& args, double default_temperature) {
  long long top_k = 0, seed = 0;
  double temperature = 0, top_p = 1, min_p = 0, penalty = 1;
  TTT_RETURN_IF_ERROR(args.GetDouble("temperature", default_temperature, &temperature));
  TTT_RETURN_IF_ERROR(args.GetInt("top-k", 0, &top_k));
  TTT_RETURN_IF_ERROR(args.GetDouble("top-p", 1.0, &top_p));
  TTT_RETURN_IF_ERROR(args.GetDouble("min-p", 0.0, &min_p));
  TTT_RETURN_IF_ERROR(args.GetDouble("repeat-penalty", 1.0, &penalty));
  TTT_RETURN_IF_ERROR(args.GetInt("seed", 42, &seed));
  SamplingOptions options{.temperature = static_cast<float>(temperature), .top_k = static_cast<int32_t>(top_k),
                          .top_p = static_cast<float>(top_p), .min_p = static_cast<float>(min_p),
                          .repetition_penalty = static_cast<float>(penalty), .seed = static_cast<uint64_t>(seed)};
  TTT_RETURN_IF_ERROR(ValidateSamplingOptions(options));
  return options;
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
