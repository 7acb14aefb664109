#include "core/formats/llama2c/llama2c_checkpoint.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"

namespace ttt::formats {
namespace {

constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);
// Any real model is far below this; it keeps every size product well inside 64 bits.
constexpr int32_t kMaxDimension = 1 << 20;

}  // namespace

absl::StatusOr<Llama2cConfig> ParseLlama2cHeader(const unsigned char* data, size_t file_size,
                                                 const std::string& path) {
  auto error = [&](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat("llama2.c checkpoint '", path, "': ", parts...));
  };
  if (file_size < kHeaderBytes) {
    return absl::DataLossError(absl::StrCat("llama2.c checkpoint '", path, "' is ", file_size,
                                            " bytes, shorter than its 28-byte header; the file is truncated"));
  }
  int32_t h[7];
  std::memcpy(h, data, kHeaderBytes);
  const char* names[7] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  for (int i = 0; i < 7; ++i) {
    int64_t v = i == 5 ? std::llabs(static_cast<int64_t>(h[i])) : h[i];
    if (v <= 0 || v > kMaxDimension) {
      return error("header field ", names[i], " (byte ", 4 * i, ") is ", h[i],
                   "; expected 1..", kMaxDimension, ". Is this a llama2.c legacy .bin checkpoint?");
    }
  }
  Llama2cConfig c;
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  c.shared_classifier = h[5] > 0;
  c.vocab_size = std::abs(h[5]);
  c.seq_len = h[6];
  if (c.dim % c.n_heads != 0 || (c.dim / c.n_heads) % 2 != 0) {
    return error("dim ", c.dim, " is not n_heads (", c.n_heads, ") times an even head size");
  }
  if (c.n_kv_heads > c.n_heads || c.n_heads % c.n_kv_heads != 0) {
    return error("n_heads ", c.n_heads, " is not a multiple of n_kv_heads ", c.n_kv_heads);
  }
  return c;
}

spec::ModelSpec Llama2cModelSpec(const Llama2cConfig& c) {
  spec::ModelSpec s;
  s.set_name("llama2.c");
  s.set_family("llama");
  s.set_vocab_size(c.vocab_size);
  s.set_hidden_dim(c.dim);
  s.set_num_layers(c.n_layers);
  s.set_max_seq_len(c.seq_len);
  s.mutable_token_embedding()->set_vocab_size(c.vocab_size);
  s.mutable_token_embedding()->set_hidden_dim(c.dim);
  spec::DecoderLayerSpec* layer = s.mutable_layer();
  for (spec::NormSpec* norm : {layer->mutable_attention_norm(), layer->mutable_mlp_norm(), s.mutable_final_norm()}) {
    norm->set_kind(spec::NormSpec::RMS_NORM);
    norm->set_dim(c.dim);
    norm->set_eps(1e-5f);
  }
  spec::AttentionSpec* attn = layer->mutable_attention();
  attn->set_hidden_dim(c.dim);
  attn->set_num_heads(c.n_heads);
  attn->set_num_kv_heads(c.n_kv_heads);
  attn->set_head_dim(c.dim / c.n_heads);
  attn->set_max_seq_len(c.seq_len);
  attn->set_use_rope(true);
  spec::RopeSpec* rope = attn->mutable_rope();
  rope->set_theta(10000.0);
  rope->set_head_dim(c.dim / c.n_heads);
  rope->set_convention(spec::RopeSpec::INTERLEAVED);
  spec::MlpSpec* mlp = layer->mutable_mlp();
  mlp->set_hidden_dim(c.dim);
  mlp->set_intermediate_dim(c.hidden_dim);
  mlp->set_activation(spec::SILU);
  mlp->set_gated(true);
  s.mutable_lm_head()->set_hidden_dim(c.dim);
  s.mutable_lm_head()->set_vocab_size(c.vocab_size);
  s.mutable_lm_head()->set_tied(c.shared_classifier);
  // Token ids of llama2.c's sentencepiece vocabularies. run.c stops when the model emits BOS (1), which
  // its training data used to separate stories, so both 1 and 2 end a generation.
  spec::SpecialTokens* special = s.mutable_special_tokens();
  if (c.vocab_size > 2) {
    special->set_bos_id(1);
    special->add_eos_ids(2);
    special->add_eos_ids(1);
    special->set_add_bos(true);
  }
  return s;
}

absl::StatusOr<Llama2cModel> LoadLlama2c(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::Open(path));
  TTT_ASSIGN_OR_RETURN(Llama2cConfig c, ParseLlama2cHeader(file->data(), file->size(), path));
  Llama2cModel model;
  model.config = c;
  model.spec = Llama2cModelSpec(c);

  const int64_t dim = c.dim, hidden = c.hidden_dim, layers = c.n_layers, vocab = c.vocab_size;
  const int64_t head_size = dim / c.n_heads;
  const int64_t kv_dim = head_size * c.n_kv_heads;
  std::shared_ptr<Storage> storage = file->AsStorage();
  uint64_t offset = kHeaderBytes;
  // Each group is layer-stacked: one [layers, rows, cols] block, viewed one layer at a time.
  auto take = [&](const std::string& what, int64_t count) -> absl::StatusOr<uint64_t> {
    uint64_t bytes = static_cast<uint64_t>(count) * sizeof(float);
    if (bytes > file->size() - offset) {
      return absl::DataLossError(absl::StrCat(
          "llama2.c checkpoint '", path, "': ", what, " needs ", bytes, " bytes at offset ", offset,
          " but the file has ", file->size(), " bytes; it is truncated or its header (dim ", c.dim,
          ", hidden_dim ", c.hidden_dim, ", n_layers ", c.n_layers, ", vocab ", c.vocab_size, ") is wrong"));
    }
    uint64_t start = offset;
    offset += bytes;
    return start;
  };
  auto add = [&](const std::string& name, uint64_t at, Shape shape) -> absl::Status {
    TTT_ASSIGN_OR_RETURN(Tensor t, Tensor::View(storage, at, DType::kF32, std::move(shape)));
    model.weights[name] = std::move(t);
    return absl::OkStatus();
  };
  auto stacked = [&](const std::string& what, const std::string& suffix, Shape per_layer) -> absl::Status {
    int64_t per = NumElements(per_layer);
    TTT_ASSIGN_OR_RETURN(uint64_t at, take(what, per * layers));
    for (int64_t l = 0; l < layers; ++l) {
      TTT_RETURN_IF_ERROR(add(absl::StrCat("layers.", l, ".", suffix), at + l * per * sizeof(float), per_layer));
    }
    return absl::OkStatus();
  };

  TTT_ASSIGN_OR_RETURN(uint64_t emb, take("token_embedding_table", vocab * dim));
  TTT_RETURN_IF_ERROR(add("tok_embeddings", emb, {vocab, dim}));
  TTT_RETURN_IF_ERROR(stacked("rms_att_weight", "attn_norm.weight", {dim}));
  TTT_RETURN_IF_ERROR(stacked("wq", "attn.wq", {dim, dim}));
  TTT_RETURN_IF_ERROR(stacked("wk", "attn.wk", {kv_dim, dim}));
  TTT_RETURN_IF_ERROR(stacked("wv", "attn.wv", {kv_dim, dim}));
  TTT_RETURN_IF_ERROR(stacked("wo", "attn.wo", {dim, dim}));
  TTT_RETURN_IF_ERROR(stacked("rms_ffn_weight", "mlp_norm.weight", {dim}));
  TTT_RETURN_IF_ERROR(stacked("w1", "mlp.w_gate", {hidden, dim}));
  TTT_RETURN_IF_ERROR(stacked("w2", "mlp.w_down", {dim, hidden}));
  TTT_RETURN_IF_ERROR(stacked("w3", "mlp.w_up", {hidden, dim}));
  TTT_ASSIGN_OR_RETURN(uint64_t final_norm, take("rms_final_weight", dim));
  TTT_RETURN_IF_ERROR(add("final_norm.weight", final_norm, {dim}));
  // Precomputed RoPE tables of old exports; the rotation is recomputed from theta instead.
  TTT_RETURN_IF_ERROR(take("freq_cis_real", c.seq_len * head_size / 2).status());
  TTT_RETURN_IF_ERROR(take("freq_cis_imag", c.seq_len * head_size / 2).status());
  if (!c.shared_classifier) {
    TTT_ASSIGN_OR_RETURN(uint64_t wcls, take("wcls (untied classifier)", vocab * dim));
    TTT_RETURN_IF_ERROR(add("lm_head", wcls, {vocab, dim}));
  }
  return model;
}

}  // namespace ttt::formats
