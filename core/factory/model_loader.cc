#include "core/factory/model_loader.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/formats/checkpoint.h"
#include "core/runtime/data_dir.h"
#include "core/runtime/status.h"
#include "core/tokenizers/tokenizer_loader.h"

namespace ttt {

std::string SourceIdentity(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(path, ec);
  const auto size = std::filesystem::is_regular_file(path, ec) ? std::filesystem::file_size(path, ec) : 0;
  const auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
  return absl::StrCat(abs.string(), "|", size, "|", mtime);
}

absl::StatusOr<LoadedModel> LoadModel(const std::string& model_path, const std::string& tokenizer_path,
                                      bool require_tokenizer, const BuildOptions& build) {
  TTT_ASSIGN_OR_RETURN(formats::Checkpoint checkpoint, formats::LoadCheckpoint(model_path));
  LoadedModel loaded;
  loaded.source = model_path;
  BuildOptions options = build;
  if (options.weight_cache != nullptr && options.weight_source.empty()) options.weight_source = SourceIdentity(model_path);
  auto model = CausalLm::Create(checkpoint.spec, checkpoint.weights, options);
  if (!model.ok()) return Annotate(model.status(), model_path);
  loaded.model = *std::move(model);
  const std::string tok = tokenizer_path.empty() ? checkpoint.tokenizer_path : tokenizer_path;
  if (tok.empty()) {
    if (require_tokenizer) {
      return absl::NotFoundError(absl::StrCat("no tokenizer found beside '", model_path,
                                              "': pass --tokenizer PATH (tokenizer.json, tokenizer.model, "
                                              "a llama2.c tokenizer.bin or a GGUF)"));
    }
    return loaded;
  }
  auto tokenizer = tokenizers::LoadTokenizer(tok);
  if (!tokenizer.ok()) {
    if (!require_tokenizer && tokenizer_path.empty()) return loaded;
    return tokenizer.status();
  }
  loaded.tokenizer = *std::move(tokenizer);
  if (loaded.tokenizer->vocab_size() > loaded.model->vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer '", tok, "' has ", loaded.tokenizer->vocab_size(),
                                                   " tokens but the model only ", loaded.model->vocab_size(),
                                                   ": pass the tokenizer that belongs to this model"));
  }
  return loaded;
}

std::string DemoModelPath() {
  if (const char* env = std::getenv("TTT_DEMO_MODEL")) return env;
  return (std::filesystem::path(PackageDataDir()) / "demo" / "stories260K.bin").string();
}

}  // namespace ttt
