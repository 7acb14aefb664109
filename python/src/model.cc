#include "python/src/model.h"

#include <cstdlib>

#include "core/formats/weight_cache.h"
#include "core/formats/weight_cache_maintenance.h"
#include "core/hwconfig/resolve.h"
#include "core/hwconfig/resolved_config.h"
#include "core/runtime/dtype_traits.h"
#include "core/runtime/logging.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"
#include "core/testing/reference_logits.h"

namespace ttt::python {
namespace {

// The same resolution as the CLI's hardware flags: the hw_config file first, then device and mode given
// explicitly over it, then the weight and KV-cache shortcuts. Errors name the keyword argument.
absl::StatusOr<BuildOptions> BuildOptionsFrom(const LoadOptions& options) {
  BuildOptions build;
  if (options.hw_config) {
    TTT_ASSIGN_OR_RETURN(build.hw_config, ReadModelHwConfigFile(*options.hw_config));
    build.hw_config_name = *options.hw_config;
    if (!build.hw_config->device().empty()) build.device = build.hw_config->device();
    if (build.hw_config->mode() != hw::CONFIG_MODE_UNSPECIFIED) build.mode = build.hw_config->mode();
  }
  if (options.device) build.device = *options.device;
  if (options.mode) {
    auto mode = ParseConfigMode(*options.mode);
    if (!mode.ok()) return Annotate(mode.status(), "mode");
    build.mode = *mode;
  }
  if (options.weights) {
    TTT_ASSIGN_OR_RETURN(build.linear_weight_dtype, ParseDTypeForRole(*options.weights, kWeightRole, "weights"));
  }
  if (options.kv_cache) {
    TTT_ASSIGN_OR_RETURN(build.kv_cache_dtype, ParseDTypeForRole(*options.kv_cache, kKvCacheRole, "kv_cache"));
  }
  return build;
}

absl::StatusOr<int64_t> CacheMaxBytes(const LoadOptions& options) {
  const char* env = std::getenv("TTT_CACHE_MAX_SIZE");
  const std::string text = options.cache_max_size ? *options.cache_max_size : env != nullptr ? env : "";
  if (text.empty()) return 0;
  auto bytes = ParseByteSize(text);
  if (!bytes.ok()) return Annotate(bytes.status(), "cache_max_size / $TTT_CACHE_MAX_SIZE");
  return bytes;
}

}  // namespace

absl::StatusOr<std::shared_ptr<ModelHandle>> ModelHandle::Load(const LoadOptions& options) {
  if (options.threads && *options.threads < 0) {
    return absl::InvalidArgumentError("threads must be >= 0 (0: one per core)");
  }
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFrom(options));
  std::unique_ptr<WeightCache> cache;  // only needed while the model is built
  if (options.cache) {
    auto opened = WeightCache::Open(options.cache_dir.value_or(WeightCache::DefaultDirectory()));
    if (opened.ok()) {
      cache = *std::move(opened);
      TTT_ASSIGN_OR_RETURN(const int64_t max_bytes, CacheMaxBytes(options));
      cache->set_max_bytes(max_bytes);
      build.weight_cache = cache.get();
    } else {
      spdlog::warn("weight cache off: {}", std::string(opened.status().message()));
    }
  }
  if (options.threads) SetNumThreads(*options.threads);
  auto handle = std::shared_ptr<ModelHandle>(new ModelHandle());
  handle->path_ = options.model.value_or(DemoModelPath());
  TTT_ASSIGN_OR_RETURN(handle->loaded_,
                       LoadModel(handle->path_, options.tokenizer.value_or(""), /*require_tokenizer=*/false, build));
  handle->tokenizer_ = std::move(handle->loaded_.tokenizer);
  handle->device_ = build.device;
  handle->mode_ = ConfigModeName(build.mode);
  return handle;
}

absl::StatusOr<const tokenizers::Tokenizer*> ModelHandle::RequireTokenizer() const {
  if (tokenizer_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(path_, " has no tokenizer: load it with ttt.Model(path, tokenizer=FILE) (tokenizer.json, "
                            "tokenizer.model, a llama2.c tokenizer.bin or a GGUF), or pass token ids"));
  }
  return tokenizer_.get();
}

bool ModelHandle::adds_bos() const { return model().spec().special_tokens().add_bos(); }

absl::StatusOr<std::vector<float>> ModelHandle::Logits(const std::vector<int32_t>& tokens) {
  if (tokens.empty()) return absl::InvalidArgumentError("no tokens to compute logits for");
  std::lock_guard<std::mutex> lock(mutex_);
  return testing::PrefillLogits(model(), tokens);
}

}  // namespace ttt::python
