#include "core/formats/bert/bert_checkpoint.h"

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/formats/bert/bert_names.h"
#include "core/formats/internal/hf_or_gguf.h"
#include "core/formats/safetensors/safetensors_file.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"
#include "nlohmann/json.hpp"

namespace ttt::formats {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

absl::StatusOr<json> ParseJsonObject(const std::string& text, const std::string& path) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not valid JSON; re-download it"));
  if (!j.is_object()) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not a JSON object"));
  return j;
}

// json::value() throws when the key holds another type; a config file is user input, so read it without throwing.
std::string StringOr(const json& j, const char* key, const std::string& fallback) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}
bool TrueAt(const json& j, const char* key) { return j.contains(key) && j[key].is_boolean() && j[key].get<bool>(); }

absl::Status KeyError(const std::string& path, const char* key, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat("config '", path, "': key \"", key, "\" ", problem));
}

// A positive integer key (or `fallback` when absent and fallback > 0).
absl::StatusOr<uint32_t> Count(const json& j, const std::string& path, const char* key, int64_t fallback = 0) {
  if (!j.contains(key) || j[key].is_null()) {
    if (fallback > 0) return static_cast<uint32_t>(fallback);
    return KeyError(path, key, "is missing; a BertModel config needs it. Is the config complete?");
  }
  const json& v = j[key];
  const double d = v.is_number() ? v.get<double>() : -1;
  if (!v.is_number() || d < 1 || d != std::floor(d) || d > std::numeric_limits<uint32_t>::max()) {
    return KeyError(path, key, absl::StrCat("is ", v.dump(), "; expected a positive integer"));
  }
  return static_cast<uint32_t>(d);
}

absl::StatusOr<std::string> Text(const json& j, const std::string& path, const char* key, const std::string& fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_string()) return KeyError(path, key, absl::StrCat("is ", j[key].dump(), "; expected a string"));
  return j[key].get<std::string>();
}

// The spec every BERT shares, from its sizes: LayerNorms with biases, biased projections, a plain MLP.
spec::EncoderSpec BertSpec(const std::string& name, uint32_t vocab, uint32_t hidden, uint32_t layers, uint32_t heads,
                           uint32_t ffn, uint32_t positions, uint32_t types, float eps, spec::Activation act) {
  spec::EncoderSpec s;
  s.set_name(name);
  s.set_family("bert");
  s.set_num_layers(layers);
  s.mutable_token_embedding()->set_vocab_size(vocab);
  s.mutable_token_embedding()->set_hidden_dim(hidden);
  s.mutable_position_embedding()->set_max_positions(positions);
  s.set_type_vocab_size(types);
  for (spec::NormSpec* n : {s.mutable_embedding_norm(), s.mutable_attention_norm(), s.mutable_mlp_norm()}) {
    n->set_kind(spec::NormSpec::LAYER_NORM);
    n->set_bias(true);
    n->set_eps(eps);
  }
  s.mutable_attention()->set_num_heads(heads);
  s.mutable_attention()->set_qkv_bias(true);
  s.mutable_attention()->set_output_bias(true);
  s.mutable_mlp()->set_intermediate_dim(ffn);
  s.mutable_mlp()->set_activation(act);
  s.mutable_mlp()->set_bias(true);
  return s;
}

// Loads every tensor under its canonical name; unknown tensors are an error naming them (a weight the encoder
// would silently skip means a different model), tensors the converters drop are skipped.
using WeightMap = absl::flat_hash_map<std::string, Tensor>;

absl::StatusOr<WeightMap> MapBertWeights(const std::vector<std::string>& names, BertNaming naming,
                                         const std::function<absl::StatusOr<Tensor>(const std::string&)>& load,
                                         const std::string& source) {
  WeightMap weights;
  for (const std::string& name : names) {
    std::optional<std::string> canonical = CanonicalBertName(name, naming);
    if (!canonical.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", source, "': tensor '", name, "' is not part of a BERT encoder this library knows (",
          naming == BertNaming::kHf ? "BertModel's names" : "llama.cpp's bert tensors",
          "); is this a different architecture (RoBERTa, nomic-bert, jina-bert)?"));
    }
    if (canonical->empty()) continue;
    TTT_ASSIGN_OR_RETURN(Tensor t, load(name));
    if (!weights.emplace(*canonical, std::move(t)).second) {
      return absl::InvalidArgumentError(absl::StrCat("'", source, "': two tensors map to '", *canonical,
                                                     "' (the second is '", name, "'); the checkpoint is inconsistent"));
    }
  }
  return weights;
}

absl::StatusOr<Validated<spec::EncoderSpec>> Validate(spec::EncoderSpec spec, const std::string& source) {
  absl::StatusOr<Validated<spec::EncoderSpec>> v = ValidateEncoder(std::move(spec));
  if (!v.ok()) return Annotate(v.status(), absl::StrCat("encoder spec of '", source, "'"));
  return *std::move(v);
}

absl::StatusOr<EncoderCheckpoint> LoadHfEncoder(const std::string& dir) {
  const std::string config_path = (fs::path(dir) / "config.json").string();
  TTT_ASSIGN_OR_RETURN(std::string config, ReadFileToString(config_path));
  TTT_ASSIGN_OR_RETURN(spec::EncoderSpec spec, EncoderSpecFromHfConfig(config, config_path));
  TTT_ASSIGN_OR_RETURN(spec::Pooling pooling, SentenceTransformersPooling(dir));
  spec.set_default_pooling(pooling);
  spec.set_name(fs::path(dir).filename().string());
  TTT_ASSIGN_OR_RETURN(Validated<spec::EncoderSpec> validated, Validate(std::move(spec), dir));
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsCheckpoint> st, SafetensorsCheckpoint::Open(dir));
  auto load = [&](const std::string& name) { return st->LoadTensor(name); };
  TTT_ASSIGN_OR_RETURN(WeightMap weights, MapBertWeights(st->TensorNames(), BertNaming::kHf, load, st->path()));
  EncoderCheckpoint ckpt{std::move(validated), std::move(weights), dir, "hf", ""};
  if (fs::exists(fs::path(dir) / "tokenizer.json")) ckpt.tokenizer_path = (fs::path(dir) / "tokenizer.json").string();
  return ckpt;
}

absl::StatusOr<EncoderCheckpoint> LoadGgufEncoder(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> gguf, GgufFile::Open(path));
  TTT_ASSIGN_OR_RETURN(spec::EncoderSpec spec, EncoderSpecFromGguf(*gguf));
  TTT_ASSIGN_OR_RETURN(Validated<spec::EncoderSpec> validated, Validate(std::move(spec), path));
  std::vector<std::string> names;
  for (const GgufTensorInfo& t : gguf->tensors()) names.push_back(t.name);
  auto load = [&](const std::string& name) { return gguf->LoadTensor(name); };
  TTT_ASSIGN_OR_RETURN(WeightMap weights, MapBertWeights(names, BertNaming::kGguf, load, path));
  EncoderCheckpoint ckpt{std::move(validated), std::move(weights), path, "gguf", ""};
  if (gguf->Has("tokenizer.ggml.tokens")) ckpt.tokenizer_path = path;
  return ckpt;
}


}  // namespace

absl::StatusOr<spec::EncoderSpec> EncoderSpecFromHfConfig(const std::string& config_json, const std::string& path) {
  TTT_ASSIGN_OR_RETURN(json j, ParseJsonObject(config_json, path));
  TTT_ASSIGN_OR_RETURN(std::string model_type, Text(j, path, "model_type", ""));
  if (model_type != "bert") {
    return KeyError(path, "model_type", absl::StrCat("is \"", model_type, "\"; the encoder reader supports \"bert\" (",
                                                     "BertModel). Decoders load with LoadModel"));
  }
  TTT_ASSIGN_OR_RETURN(std::string position_type, Text(j, path, "position_embedding_type", "absolute"));
  if (position_type != "absolute") {
    return KeyError(path, "position_embedding_type",
                    absl::StrCat("is \"", position_type, "\"; only \"absolute\" (learned positions) is supported"));
  }
  if (TrueAt(j, "is_decoder")) {
    return KeyError(path, "is_decoder", "is true; a BERT decoder (causal, with cross-attention) is not supported");
  }
  TTT_ASSIGN_OR_RETURN(std::string act_name, Text(j, path, "hidden_act", "gelu"));
  spec::Activation act;
  if (act_name == "gelu") {
    act = spec::GELU;
  } else if (act_name == "gelu_new" || act_name == "gelu_pytorch_tanh") {
    act = spec::GELU_TANH;
  } else if (act_name == "relu") {
    act = spec::RELU;
  } else {
    return KeyError(path, "hidden_act", absl::StrCat("is \"", act_name, "\"; supported: gelu, gelu_new, "
                                                     "gelu_pytorch_tanh, relu"));
  }
  TTT_ASSIGN_OR_RETURN(uint32_t vocab, Count(j, path, "vocab_size"));
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, Count(j, path, "hidden_size", 768));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, Count(j, path, "num_hidden_layers", 12));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, Count(j, path, "num_attention_heads", 12));
  TTT_ASSIGN_OR_RETURN(uint32_t ffn, Count(j, path, "intermediate_size", 3072));
  TTT_ASSIGN_OR_RETURN(uint32_t positions, Count(j, path, "max_position_embeddings", 512));
  TTT_ASSIGN_OR_RETURN(uint32_t types, Count(j, path, "type_vocab_size", 2));
  double eps = 1e-12;  // BertConfig's default
  if (j.contains("layer_norm_eps") && !j["layer_norm_eps"].is_null()) {
    if (!j["layer_norm_eps"].is_number() || !(j["layer_norm_eps"].get<double>() > 0)) {
      return KeyError(path, "layer_norm_eps", absl::StrCat("is ", j["layer_norm_eps"].dump(), "; expected a positive number"));
    }
    eps = j["layer_norm_eps"].get<double>();
  }
  return BertSpec("", vocab, hidden, layers, heads, ffn, positions, types, static_cast<float>(eps), act);
}

absl::StatusOr<spec::Pooling> SentenceTransformersPooling(const std::string& dir) {
  const fs::path modules_path = fs::path(dir) / "modules.json";
  if (!fs::exists(modules_path)) return spec::POOLING_UNSPECIFIED;
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(modules_path.string()));
  json modules = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (modules.is_discarded() || !modules.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat("'", modules_path.string(), "' is not a JSON list of modules"));
  }
  for (const json& m : modules) {
    if (StringOr(m, "type", "") != "sentence_transformers.models.Pooling") continue;
    const fs::path config_path = fs::path(dir) / StringOr(m, "path", "") / "config.json";
    TTT_ASSIGN_OR_RETURN(std::string config_text, ReadFileToString(config_path.string()));
    TTT_ASSIGN_OR_RETURN(json config, ParseJsonObject(config_text, config_path.string()));
    // The first mode set wins, in convert_hf_to_gguf.py's order.
    if (TrueAt(config, "pooling_mode_mean_tokens")) return spec::MEAN;
    if (TrueAt(config, "pooling_mode_cls_token")) return spec::CLS;
    if (TrueAt(config, "pooling_mode_lasttoken")) return spec::LAST;
    return absl::InvalidArgumentError(absl::StrCat("'", config_path.string(), "' asks for a pooling other than mean, ",
                                                   "cls or last token; pass the pooling explicitly"));
  }
  return spec::POOLING_UNSPECIFIED;
}

absl::StatusOr<spec::EncoderSpec> EncoderSpecFromGguf(const GgufFile& gguf) {
  TTT_ASSIGN_OR_RETURN(std::string arch, gguf.GetString("general.architecture"));
  if (arch != "bert") {
    return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': general.architecture is \"", arch,
                                                   "\"; the encoder reader supports \"bert\""));
  }
  auto count = [&](const std::string& key) -> absl::StatusOr<uint32_t> {
    absl::StatusOr<int64_t> v = gguf.GetInt(key);
    if (!v.ok()) return Annotate(v.status(), absl::StrCat("'", gguf.path(), "' (a bert GGUF needs ", key, ")"));
    if (*v < 1 || *v > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': ", key, " is ", *v, "; expected a positive count"));
    }
    return static_cast<uint32_t>(*v);
  };
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, count("bert.embedding_length"));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, count("bert.block_count"));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, count("bert.attention.head_count"));
  TTT_ASSIGN_OR_RETURN(uint32_t ffn, count("bert.feed_forward_length"));
  TTT_ASSIGN_OR_RETURN(uint32_t positions, count("bert.context_length"));
  if (gguf.Has("bert.attention.causal")) {
    TTT_ASSIGN_OR_RETURN(bool causal, gguf.GetBool("bert.attention.causal"));
    if (causal) {
      return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': bert.attention.causal is true; an encoder ",
                                                     "attends both ways (re-convert the model)"));
    }
  }
  TTT_ASSIGN_OR_RETURN(double eps, gguf.GetFloat("bert.attention.layer_norm_epsilon"));
  uint32_t types = 2;
  if (gguf.Has("tokenizer.ggml.token_type_count")) {
    TTT_ASSIGN_OR_RETURN(types, count("tokenizer.ggml.token_type_count"));
  }
  const GgufTensorInfo* embd = gguf.FindTensor("token_embd.weight");
  if (embd == nullptr || embd->shape.size() != 2 || embd->shape[0] < 1) {
    return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': no 2-D token_embd.weight tensor; is the ",
                                                   "file complete?"));
  }
  spec::EncoderSpec s = BertSpec(gguf.Has("general.name") ? *gguf.GetString("general.name") : "bert",
                                 static_cast<uint32_t>(embd->shape[0]), hidden, layers, heads, ffn, positions, types,
                                 static_cast<float>(eps), spec::GELU);
  if (gguf.Has("bert.pooling_type")) {
    TTT_ASSIGN_OR_RETURN(int64_t pooling, gguf.GetInt("bert.pooling_type"));
    // llama.cpp's enum: 0 none, 1 mean, 2 cls, 3 last, 4 rank.
    if (pooling == 1) s.set_default_pooling(spec::MEAN);
    if (pooling == 2) s.set_default_pooling(spec::CLS);
    if (pooling == 3) s.set_default_pooling(spec::LAST);
  }
  return s;
}

absl::StatusOr<EncoderCheckpoint> LoadEncoderCheckpoint(const std::string& path) {
  return internal::LoadHfOrGguf<EncoderCheckpoint>(path, "encoder", "BERT", LoadHfEncoder, LoadGgufEncoder);
}

bool IsEncoderCheckpoint(const std::string& path) { return internal::ModelTypeAt(path) == "bert"; }

}  // namespace ttt::formats
