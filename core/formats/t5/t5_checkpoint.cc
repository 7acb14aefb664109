#include "core/formats/t5/t5_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/formats/internal/hf_or_gguf.h"
#include "core/formats/safetensors/safetensors_file.h"
#include "core/formats/t5/t5_names.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/specs/seq2seq_validate.h"
#include "nlohmann/json.hpp"

namespace ttt::formats {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using WeightMap = absl::flat_hash_map<std::string, Tensor>;

absl::Status KeyError(const std::string& path, const char* key, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat("config '", path, "': key \"", key, "\" ", problem));
}

// A positive integer key, or `fallback` when absent (0: required).
absl::StatusOr<uint32_t> Count(const json& j, const std::string& path, const char* key, int64_t fallback) {
  if (!j.contains(key) || j[key].is_null()) {
    if (fallback > 0) return static_cast<uint32_t>(fallback);
    return KeyError(path, key, "is missing; a T5 config needs it. Is the config complete?");
  }
  const json& v = j[key];
  const double d = v.is_number() ? v.get<double>() : -1;
  if (!v.is_number() || d < 1 || d != std::floor(d) || d > std::numeric_limits<uint32_t>::max()) {
    return KeyError(path, key, absl::StrCat("is ", v.dump(), "; expected a positive integer"));
  }
  return static_cast<uint32_t>(d);
}

// A token id key (>= 0), or `fallback` when absent.
absl::StatusOr<int32_t> TokenId(const json& j, const std::string& path, const char* key, int32_t fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  const json& v = j[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
    return KeyError(path, key, absl::StrCat("is ", v.dump(), "; expected a token id"));
  }
  return static_cast<int32_t>(v.get<int64_t>());
}

absl::StatusOr<std::string> Text(const json& j, const std::string& path, const char* key, const std::string& fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_string()) return KeyError(path, key, absl::StrCat("is ", j[key].dump(), "; expected a string"));
  return j[key].get<std::string>();
}

// T5Config's feed_forward_proj: "[gated-]ACT", with "gated-gelu" meaning the tanh GELU (gelu_new).
absl::Status SetFeedForward(const std::string& proj, const std::string& path, spec::MlpSpec* mlp) {
  const bool gated = absl::StartsWith(proj, "gated-");
  const std::string act = gated ? proj.substr(6) : proj;
  spec::Activation a = spec::ACTIVATION_UNSPECIFIED;
  if (act == "relu" && !gated) a = spec::RELU;
  if (act == "gelu") a = gated ? spec::GELU_TANH : spec::GELU;
  if (act == "gelu_new" || act == "gelu_pytorch_tanh") a = spec::GELU_TANH;
  if (act == "silu" || act == "swish") a = spec::SILU;
  if (a == spec::ACTIVATION_UNSPECIFIED) {
    return KeyError(path, "feed_forward_proj",
                    absl::StrCat("is \"", proj, "\"; supported: \"relu\" (original T5), \"gated-gelu\" (T5 v1.1, "
                                 "flan-t5, mT5), \"gelu\", \"gelu_new\", \"gated-gelu_new\", \"gated-silu\""));
  }
  mlp->set_activation(a);
  mlp->set_gated(gated);
  return absl::OkStatus();
}

spec::RelativePositionBiasSpec Bias(uint32_t buckets, uint32_t max_distance) {
  spec::RelativePositionBiasSpec b;
  b.set_num_buckets(buckets);
  b.set_max_distance(max_distance);
  return b;
}

absl::StatusOr<WeightMap> MapT5Weights(const std::vector<std::string>& names, T5Naming naming,
                                       const std::function<absl::StatusOr<Tensor>(const std::string&)>& load,
                                       const std::string& source) {
  WeightMap weights;
  std::vector<std::string> embedding_copies;
  for (const std::string& name : names) {
    std::optional<std::string> canonical = CanonicalT5Name(name, naming);
    if (!canonical.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", source, "': tensor '", name, "' is not part of a T5 model this library knows (",
          naming == T5Naming::kHf ? "T5ForConditionalGeneration's names" : "llama.cpp's t5 tensors",
          "); a relative attention bias outside the first layer is UMT5's, which is not supported"));
    }
    if (canonical->empty()) {
      if (absl::EndsWith(name, "embed_tokens.weight")) embedding_copies.push_back(name);
      continue;
    }
    TTT_ASSIGN_OR_RETURN(Tensor t, load(name));
    if (!weights.emplace(*canonical, std::move(t)).second) {
      return absl::InvalidArgumentError(absl::StrCat("'", source, "': two tensors map to '", *canonical,
                                                     "' (the second is '", name, "'); the checkpoint is inconsistent"));
    }
  }
  // Checkpoints saved without "shared" keep the embedding under a stack's name (as convert_hf_to_gguf.py
  // accepts too): the first such copy is the table.
  if (!weights.contains("tok_embeddings") && !embedding_copies.empty()) {
    TTT_ASSIGN_OR_RETURN(Tensor t, load(embedding_copies.front()));
    weights.emplace("tok_embeddings", std::move(t));
  }
  return weights;
}

absl::StatusOr<Validated<spec::Seq2SeqSpec>> Validate(spec::Seq2SeqSpec spec, const std::string& source) {
  absl::StatusOr<Validated<spec::Seq2SeqSpec>> v = ValidateSeq2Seq(std::move(spec));
  if (!v.ok()) return Annotate(v.status(), absl::StrCat("seq2seq spec of '", source, "'"));
  return *std::move(v);
}

absl::StatusOr<Seq2SeqCheckpoint> LoadHf(const std::string& dir) {
  const std::string config_path = (fs::path(dir) / "config.json").string();
  TTT_ASSIGN_OR_RETURN(std::string config, ReadFileToString(config_path));
  TTT_ASSIGN_OR_RETURN(spec::Seq2SeqSpec spec, Seq2SeqSpecFromHfConfig(config, config_path));
  spec.set_name(fs::path(dir).filename().string());
  TTT_ASSIGN_OR_RETURN(Validated<spec::Seq2SeqSpec> validated, Validate(std::move(spec), dir));
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsCheckpoint> st, SafetensorsCheckpoint::Open(dir));
  auto load = [&](const std::string& name) { return st->LoadTensor(name); };
  TTT_ASSIGN_OR_RETURN(WeightMap weights, MapT5Weights(st->TensorNames(), T5Naming::kHf, load, st->path()));
  // A tied model saved with its head anyway holds the same table twice; the spec says which one is read.
  if (validated->tied_head()) weights.erase("lm_head");
  Seq2SeqCheckpoint ckpt{std::move(validated), std::move(weights), dir, "hf", ""};
  if (fs::exists(fs::path(dir) / "tokenizer.json")) ckpt.tokenizer_path = (fs::path(dir) / "tokenizer.json").string();
  return ckpt;
}

absl::StatusOr<Seq2SeqCheckpoint> LoadGguf(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> gguf, GgufFile::Open(path));
  TTT_ASSIGN_OR_RETURN(spec::Seq2SeqSpec spec, Seq2SeqSpecFromGguf(*gguf));
  TTT_ASSIGN_OR_RETURN(Validated<spec::Seq2SeqSpec> validated, Validate(std::move(spec), path));
  std::vector<std::string> names;
  for (const GgufTensorInfo& t : gguf->tensors()) names.push_back(t.name);
  auto load = [&](const std::string& name) { return gguf->LoadTensor(name); };
  TTT_ASSIGN_OR_RETURN(WeightMap weights, MapT5Weights(names, T5Naming::kGguf, load, path));
  Seq2SeqCheckpoint ckpt{std::move(validated), std::move(weights), path, "gguf", ""};
  if (gguf->Has("tokenizer.ggml.tokens")) ckpt.tokenizer_path = path;
  return ckpt;
}


}  // namespace

absl::StatusOr<spec::Seq2SeqSpec> Seq2SeqSpecFromHfConfig(const std::string& config_json, const std::string& path) {
  json j = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not a JSON object; re-download it"));
  }
  TTT_ASSIGN_OR_RETURN(std::string model_type, Text(j, path, "model_type", ""));
  if (model_type != "t5" && model_type != "mt5") {
    return KeyError(path, "model_type", absl::StrCat("is \"", model_type, "\"; the seq2seq reader supports \"t5\" and "
                                                     "\"mt5\" (T5ForConditionalGeneration)"));
  }
  if (j.contains("is_encoder_decoder") && j["is_encoder_decoder"].is_boolean() && !j["is_encoder_decoder"].get<bool>()) {
    return KeyError(path, "is_encoder_decoder", "is false; only the full encoder-decoder T5 is supported");
  }
  spec::Seq2SeqSpec s;
  s.set_family("t5");
  TTT_ASSIGN_OR_RETURN(uint32_t vocab, Count(j, path, "vocab_size", 0));
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, Count(j, path, "d_model", 512));
  TTT_ASSIGN_OR_RETURN(uint32_t head_dim, Count(j, path, "d_kv", 64));
  TTT_ASSIGN_OR_RETURN(uint32_t ffn, Count(j, path, "d_ff", 2048));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, Count(j, path, "num_layers", 6));
  TTT_ASSIGN_OR_RETURN(uint32_t decoder_layers, Count(j, path, "num_decoder_layers", layers));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, Count(j, path, "num_heads", 8));
  TTT_ASSIGN_OR_RETURN(uint32_t buckets, Count(j, path, "relative_attention_num_buckets", 32));
  TTT_ASSIGN_OR_RETURN(uint32_t max_distance, Count(j, path, "relative_attention_max_distance", 128));
  double eps = 1e-6;  // T5Config's default
  if (j.contains("layer_norm_epsilon") && !j["layer_norm_epsilon"].is_null()) {
    if (!j["layer_norm_epsilon"].is_number() || !(j["layer_norm_epsilon"].get<double>() > 0)) {
      return KeyError(path, "layer_norm_epsilon",
                      absl::StrCat("is ", j["layer_norm_epsilon"].dump(), "; expected a positive number"));
    }
    eps = j["layer_norm_epsilon"].get<double>();
  }
  TTT_ASSIGN_OR_RETURN(std::string proj, Text(j, path, "feed_forward_proj", "relu"));
  TTT_RETURN_IF_ERROR(SetFeedForward(proj, path, s.mutable_mlp()));
  s.mutable_mlp()->set_intermediate_dim(ffn);
  bool tied = true;  // T5Config's default
  if (j.contains("tie_word_embeddings") && !j["tie_word_embeddings"].is_null()) {
    if (!j["tie_word_embeddings"].is_boolean()) return KeyError(path, "tie_word_embeddings", "is not true or false");
    tied = j["tie_word_embeddings"].get<bool>();
  }
  TTT_ASSIGN_OR_RETURN(int32_t pad, TokenId(j, path, "pad_token_id", 0));
  TTT_ASSIGN_OR_RETURN(int32_t start, TokenId(j, path, "decoder_start_token_id", pad));
  TTT_ASSIGN_OR_RETURN(int32_t eos, TokenId(j, path, "eos_token_id", 1));
  s.set_vocab_size(vocab);
  s.set_hidden_dim(hidden);
  s.set_num_heads(heads);
  s.set_head_dim(head_dim);
  s.set_encoder_layers(layers);
  s.set_decoder_layers(decoder_layers);
  s.set_norm_eps(static_cast<float>(eps));
  *s.mutable_encoder_bias() = Bias(buckets, max_distance);
  *s.mutable_decoder_bias() = Bias(buckets, max_distance);
  s.set_tied_head(tied);
  s.set_decoder_start_token_id(start);
  s.set_eos_token_id(eos);
  return s;
}

absl::StatusOr<spec::Seq2SeqSpec> Seq2SeqSpecFromGguf(const GgufFile& gguf) {
  TTT_ASSIGN_OR_RETURN(std::string arch, gguf.GetString("general.architecture"));
  if (arch != "t5") {
    return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': general.architecture is \"", arch,
                                                   "\"; the seq2seq reader supports \"t5\""));
  }
  auto count = [&](const std::string& key, int64_t fallback) -> absl::StatusOr<uint32_t> {
    if (!gguf.Has(key) && fallback > 0) return static_cast<uint32_t>(fallback);
    absl::StatusOr<int64_t> v = gguf.GetInt(key);
    if (!v.ok()) return Annotate(v.status(), absl::StrCat("'", gguf.path(), "' (a t5 GGUF needs ", key, ")"));
    if (*v < 1 || *v > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': ", key, " is ", *v, "; expected a positive count"));
    }
    return static_cast<uint32_t>(*v);
  };
  TTT_ASSIGN_OR_RETURN(uint32_t hidden, count("t5.embedding_length", 0));
  TTT_ASSIGN_OR_RETURN(uint32_t layers, count("t5.block_count", 0));
  TTT_ASSIGN_OR_RETURN(uint32_t heads, count("t5.attention.head_count", 0));
  TTT_ASSIGN_OR_RETURN(uint32_t ffn, count("t5.feed_forward_length", 0));
  TTT_ASSIGN_OR_RETURN(uint32_t head_dim, count("t5.attention.key_length", hidden / std::max<uint32_t>(heads, 1)));
  TTT_ASSIGN_OR_RETURN(uint32_t buckets, count("t5.attention.relative_buckets_count", 32));
  TTT_ASSIGN_OR_RETURN(double eps, gguf.GetFloat("t5.attention.layer_norm_rms_epsilon"));
  const GgufTensorInfo* embd = gguf.FindTensor("token_embd.weight");
  if (embd == nullptr || embd->shape.size() != 2 || embd->shape[0] < 1) {
    return absl::InvalidArgumentError(absl::StrCat("'", gguf.path(), "': no 2-D token_embd.weight tensor; is the ",
                                                   "file complete?"));
  }
  spec::Seq2SeqSpec s;
  s.set_name(gguf.Has("general.name") ? *gguf.GetString("general.name") : "t5");
  s.set_family("t5");
  s.set_vocab_size(static_cast<uint32_t>(embd->shape[0]));
  s.set_hidden_dim(hidden);
  s.set_num_heads(heads);
  s.set_head_dim(head_dim);
  // llama.cpp's t5 has one block_count for both stacks.
  s.set_encoder_layers(layers);
  s.set_decoder_layers(layers);
  s.set_norm_eps(static_cast<float>(eps));
  const bool gated = gguf.FindTensor("enc.blk.0.ffn_gate.weight") != nullptr;
  s.mutable_mlp()->set_gated(gated);
  s.mutable_mlp()->set_activation(gated ? spec::GELU_TANH : spec::RELU);
  s.mutable_mlp()->set_intermediate_dim(ffn);
  // llama.cpp fixes the largest bucketed distance at 128, T5's value.
  *s.mutable_encoder_bias() = Bias(buckets, 128);
  *s.mutable_decoder_bias() = Bias(buckets, 128);
  s.set_tied_head(gguf.FindTensor("output.weight") == nullptr);
  int64_t start = 0, eos = 1;
  if (gguf.Has("t5.decoder_start_token_id")) {
    TTT_ASSIGN_OR_RETURN(start, gguf.GetInt("t5.decoder_start_token_id"));
  }
  if (gguf.Has("tokenizer.ggml.eos_token_id")) {
    TTT_ASSIGN_OR_RETURN(eos, gguf.GetInt("tokenizer.ggml.eos_token_id"));
  }
  s.set_decoder_start_token_id(static_cast<int32_t>(start));
  s.set_eos_token_id(static_cast<int32_t>(eos));
  return s;
}

absl::StatusOr<Seq2SeqCheckpoint> LoadSeq2SeqCheckpoint(const std::string& path) {
  return internal::LoadHfOrGguf<Seq2SeqCheckpoint>(path, "model", "T5", LoadHf, LoadGguf);
}

bool IsSeq2SeqCheckpoint(const std::string& path) {
  const std::string type = internal::ModelTypeAt(path);
  return type == "t5" || type == "mt5";
}

}  // namespace ttt::formats
