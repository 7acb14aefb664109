// What a Python `ttt.Model` holds: a loaded model and its tokenizer, the options it was built with, and a
// lock that runs one computation on it at a time (generations and logits calls may come from several Python
// threads; the GIL is released while they compute).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/factory/model_loader.h"

namespace ttt::python {

// The model-loading options of `ttt generate` (tools/ttt/common.h), as keyword arguments.
struct LoadOptions {
  std::optional<std::string> model;      // none: the bundled demo model
  std::optional<std::string> tokenizer;  // none: the checkpoint's own
  std::optional<std::string> device;     // none: the hw_config file's, else cpu
  std::optional<std::string> mode;       // none: the hw_config file's, else accuracy
  std::optional<std::string> hw_config;  // a ttt.hw.ModelHwConfig text file
  std::optional<std::string> weights;    // every linear op's weight dtype (none: the config's)
  std::optional<std::string> kv_cache;   // the KV cache's dtype (none: the config's)
  std::optional<int> threads;            // process-wide, as --threads; 0: one per core; none: unchanged
  bool cache = true;                     // the converted-weight cache
  std::optional<std::string> cache_dir;  // none: WeightCache::DefaultDirectory()
  std::optional<std::string> cache_max_size;  // e.g. "20G"; none: $TTT_CACHE_MAX_SIZE, else no limit
};

class ModelHandle {
 public:
  // Loads as `ttt generate` does (without the GIL: call it released).
  static absl::StatusOr<std::shared_ptr<ModelHandle>> Load(const LoadOptions& options);

  const CausalLm& model() const { return *loaded_.model; }
  // Null when the checkpoint has no tokenizer.
  const std::shared_ptr<tokenizers::Tokenizer>& tokenizer() const { return tokenizer_; }
  // The tokenizer, or FailedPrecondition naming the fix.
  absl::StatusOr<const tokenizers::Tokenizer*> RequireTokenizer() const;
  const std::string& path() const { return path_; }
  const std::string& device() const { return device_; }
  const std::string& mode() const { return mode_; }
  // Whether a BOS token starts a prompt by default (the model's special_tokens.add_bos, as Generate uses).
  bool adds_bos() const;
  // Held while computing on the model (after releasing the GIL, never before).
  std::mutex& compute_mutex() { return mutex_; }

  // The logits of every position of `tokens` [tokens, vocab], in one prefill on a fresh state.
  absl::StatusOr<std::vector<float>> Logits(const std::vector<int32_t>& tokens);

 private:
  LoadedModel loaded_;
  std::shared_ptr<tokenizers::Tokenizer> tokenizer_;
  std::string path_, device_, mode_;
  std::mutex mutex_;
};

}  // namespace ttt::python
