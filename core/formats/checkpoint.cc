#include "core/formats/checkpoint.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/formats/canonical_weights.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/formats/gguf/gguf_model_spec.h"
#include "core/formats/hf/hf_config.h"
#include "core/formats/llama2c/llama2c_checkpoint.h"
#include "core/formats/safetensors/safetensors_file.h"
#include "core/formats/weight_name_map.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt::formats {
namespace {

namespace fs = std::filesystem;

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// The checkpoint of a validated spec; the spec's problems name the file.
absl::StatusOr<Checkpoint> Start(spec::ModelSpec spec, const std::string& source, const char* format) {
  absl::StatusOr<Validated<spec::ModelSpec>> validated = ValidateModel(std::move(spec));
  if (!validated.ok()) return Annotate(validated.status(), absl::StrCat("model spec of '", source, "'"));
  return Checkpoint{.spec = *std::move(validated), .weights = {}, .source = source, .format = format,
                    .tokenizer_path = ""};
}

absl::StatusOr<Checkpoint> LoadHf(const std::string& dir, const std::string& weights_path) {
  TTT_ASSIGN_OR_RETURN(spec::ModelSpec spec, LoadHfModelSpec(dir));
  TTT_ASSIGN_OR_RETURN(Checkpoint ckpt, Start(std::move(spec), dir, "hf"));
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsCheckpoint> st, SafetensorsCheckpoint::Open(weights_path));
  WeightNameMap names = HfNames(ckpt.spec->family());
  auto load = [&](const std::string& name) { return st->LoadTensor(name); };
  TTT_ASSIGN_OR_RETURN(ckpt.weights, MapWeights(names, ckpt.spec, st->TensorNames(), load, st->path()));
  TTT_RETURN_IF_ERROR(CheckWeights(ckpt.spec, ckpt.weights, st->path()));
  for (const char* tok : {"tokenizer.json", "tokenizer.model"}) {
    if (Exists(fs::path(dir) / tok)) {
      ckpt.tokenizer_path = (fs::path(dir) / tok).string();
      break;
    }
  }
  return ckpt;
}

absl::StatusOr<Checkpoint> LoadGguf(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> gguf, GgufFile::Open(path));
  TTT_ASSIGN_OR_RETURN(spec::ModelSpec spec, ModelSpecFromGguf(*gguf));
  TTT_ASSIGN_OR_RETURN(Checkpoint ckpt, Start(std::move(spec), path, "gguf"));
  WeightNameMap names = GgufNames(ckpt.spec->family());
  std::vector<std::string> tensor_names;
  for (const GgufTensorInfo& t : gguf->tensors()) tensor_names.push_back(t.name);
  auto load = [&](const std::string& name) { return gguf->LoadTensor(name); };
  TTT_ASSIGN_OR_RETURN(ckpt.weights, MapWeights(names, ckpt.spec, tensor_names, load, path));
  TTT_RETURN_IF_ERROR(CheckWeights(ckpt.spec, ckpt.weights, path));
  if (gguf->Has("tokenizer.ggml.tokens")) ckpt.tokenizer_path = path;
  return ckpt;
}

absl::StatusOr<Checkpoint> LoadLlama2cFile(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(Llama2cModel model, LoadLlama2c(path));
  model.spec.set_name(fs::path(path).stem().string());
  TTT_ASSIGN_OR_RETURN(Checkpoint ckpt, Start(std::move(model.spec), path, "llama2c"));
  ckpt.weights = std::move(model.weights);
  TTT_RETURN_IF_ERROR(CheckWeights(ckpt.spec, ckpt.weights, path));
  fs::path dir = fs::path(path).parent_path();
  for (const std::string& tok : {absl::StrCat("tok", model.config.vocab_size, ".bin"), std::string("tokenizer.bin")}) {
    if (Exists(dir / tok)) {
      ckpt.tokenizer_path = (dir / tok).string();
      break;
    }
  }
  return ckpt;
}

}  // namespace

absl::StatusOr<Checkpoint> LoadCheckpoint(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (!Exists(fs::path(path) / "config.json")) {
      return absl::NotFoundError(absl::StrCat("folder '", path, "' has no config.json; pass a Hugging Face model ",
                                              "folder, a .gguf file or a llama2.c .bin checkpoint"));
    }
    return LoadHf(path, path);
  }
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat("checkpoint '", path, "' does not exist or is not a file or folder"));
  }
  if (absl::EndsWith(path, ".safetensors") || absl::EndsWith(path, ".safetensors.index.json")) {
    std::string dir = fs::path(path).parent_path().string();
    return LoadHf(dir.empty() ? "." : dir, path);
  }
  char magic[4] = {0, 0, 0, 0};
  std::ifstream(path, std::ios::binary).read(magic, 4);
  if (std::string_view(magic, 4) == "GGUF") return LoadGguf(path);
  return LoadLlama2cFile(path);
}

}  // namespace ttt::formats
