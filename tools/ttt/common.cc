#include "tools/ttt/common.h"

#include "absl/strings/str_cat.h"
#include "core/formats/weight_cache.h"
#include "core/hwconfig/resolve.h"
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

}  // namespace ttt::cli
