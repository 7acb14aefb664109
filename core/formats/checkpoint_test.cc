#include "core/formats/checkpoint.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/formats/safetensors/safetensors_file.h"
#include "core/formats/testing/format_writers.h"
#include "core/formats/weight_name_map.h"
#include "core/runtime/dtype.h"
#include "core/specs/validate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttt::formats {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using testing::AppendPod;
using testing::FloatBytes;
using testing::GgufWriter;
using testing::SafetensorsWriter;
using testing::TempDir;
using testing::WriteBytes;

const std::string kFixtures = TTT_FIXTURES_DIR;

std::vector<float> Values(const Checkpoint& c, const std::string& name) {
  auto it = c.weights.find(name);
  EXPECT_NE(it, c.weights.end()) << name;
  return it == c.weights.end() ? std::vector<float>{} : it->second.ToF32();
}

TEST(CheckpointTest, Stories260KBinAndGgufAgree) {
  auto bin = LoadCheckpoint(kFixtures + "/stories260K/stories260K.bin");
  ASSERT_TRUE(bin.ok()) << bin.status();
  EXPECT_EQ(bin->format, "llama2c");
  EXPECT_THAT(bin->tokenizer_path, EndsWith("stories260K/tok512.bin"));
  EXPECT_EQ(bin->spec->hidden_dim(), 64u);
  EXPECT_EQ(bin->spec->num_layers(), 5u);
  EXPECT_EQ(bin->spec->layer().attention().num_kv_heads(), 4u);
  EXPECT_EQ(bin->spec->layer().mlp().intermediate_dim(), 172u);
  EXPECT_TRUE(bin->spec.lm_head()->tied());
  EXPECT_EQ(bin->weights.at("tok_embeddings").dtype(), DType::kF32);

  auto gguf = LoadCheckpoint(kFixtures + "/stories260K/stories260K.gguf");
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  EXPECT_EQ(gguf->format, "gguf");
  EXPECT_EQ(gguf->tokenizer_path, kFixtures + "/stories260K/stories260K.gguf");
  EXPECT_EQ(gguf->spec->layer().attention().rope().convention(), spec::RopeSpec::INTERLEAVED);
  EXPECT_EQ(Values(*bin, "tok_embeddings"), Values(*gguf, "tok_embeddings"));
  EXPECT_EQ(Values(*bin, "tok_embeddings"), Values(*gguf, "lm_head")) << "the GGUF stores the tied head as a copy";
  // llama2.c already stores Q/K with interleaved RoPE pairs, so every weight matches unpermuted.
  for (const auto& [name, tensor] : bin->weights) {
    EXPECT_EQ(tensor.ToF32(), Values(*gguf, name)) << name;
  }
}

// llama.cpp's converter reorders each head's Q/K rows from rotate-half pairs (i, i + d/2) to adjacent
// pairs (2i, 2i + 1): GGUF row h*d + 2i + j holds Hugging Face row h*d + j*d/2 + i.
std::vector<float> UnpermuteGgufRows(const std::vector<float>& gguf, int heads, int head_dim, int cols) {
  std::vector<float> hf(gguf.size());
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < head_dim / 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        int from = h * head_dim + 2 * i + j, to = h * head_dim + j * head_dim / 2 + i;
        std::copy_n(gguf.begin() + from * cols, cols, hf.begin() + to * cols);
      }
    }
  }
  return hf;
}

TEST(CheckpointTest, LlamaGqaTinyHfBf16MatchesGgufF32) {
  auto hf = LoadCheckpoint(kFixtures + "/llama-gqa-tiny/hf");
  ASSERT_TRUE(hf.ok()) << hf.status();
  auto gguf = LoadCheckpoint(kFixtures + "/llama-gqa-tiny/model-f32.gguf");
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  EXPECT_EQ(hf->format, "hf");
  EXPECT_EQ(hf->tokenizer_path, "") << "the folder has no tokenizer";
  EXPECT_EQ(hf->weights.at("layers.0.attn.wq").dtype(), DType::kBF16) << "kept as a view in its dtype";
  EXPECT_EQ(hf->weights.at("layers.0.attn.wk").shape(), (Shape{64, 128}));
  EXPECT_EQ(hf->weights.size(), gguf->weights.size());
  EXPECT_EQ(hf->spec->layer().attention().rope().convention(), spec::RopeSpec::ROTATE_HALF);
  EXPECT_EQ(gguf->spec->layer().attention().rope().convention(), spec::RopeSpec::INTERLEAVED);
  for (const auto& [name, tensor] : hf->weights) {
    std::vector<float> expected = Values(*gguf, name);
    if (name.find("attn.wq") != std::string::npos) expected = UnpermuteGgufRows(expected, 4, 32, 128);
    if (name.find("attn.wk") != std::string::npos) expected = UnpermuteGgufRows(expected, 2, 32, 128);
    EXPECT_EQ(tensor.ToF32(), expected) << name;
  }
  // Without undoing the permutation the query weights differ: the check above is not vacuous.
  EXPECT_NE(Values(*hf, "layers.1.attn.wq"), Values(*gguf, "layers.1.attn.wq"));
}

TEST(CheckpointTest, Gpt2TinyConv1DWeightsAreTransposedAndSplit) {
  std::string dir = kFixtures + "/gpt2-tiny/hf";
  auto ckpt = LoadCheckpoint(dir);
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_EQ(ckpt->tokenizer_path, dir + "/tokenizer.json");
  EXPECT_FALSE(ckpt->weights.contains("lm_head"));
  EXPECT_EQ(ckpt->weights.at("pos_embeddings").shape(), (Shape{512, 32}));
  auto raw = SafetensorsFile::Open(dir + "/model.safetensors");
  ASSERT_TRUE(raw.ok());
  std::vector<float> c_attn = (*raw)->LoadTensor("transformer.h.2.attn.c_attn.weight")->ToF32();  // [32, 96]
  std::vector<float> c_attn_bias = (*raw)->LoadTensor("transformer.h.2.attn.c_attn.bias")->ToF32();
  const char* parts[3] = {"wq", "wk", "wv"};
  for (int p = 0; p < 3; ++p) {
    const Tensor& w = ckpt->weights.at(std::string("layers.2.attn.") + parts[p]);
    ASSERT_EQ(w.shape(), (Shape{32, 32}));
    EXPECT_TRUE(w.is_contiguous());
    std::vector<float> v = w.ToF32();
    for (int out = 0; out < 32; ++out) {
      for (int in = 0; in < 32; ++in) {
        ASSERT_EQ(v[out * 32 + in], c_attn[in * 96 + p * 32 + out]) << parts[p] << " " << out << "," << in;
      }
    }
    std::vector<float> b = ckpt->weights.at(std::string("layers.2.attn.") + parts[p] + ".bias").ToF32();
    EXPECT_EQ(b, std::vector<float>(c_attn_bias.begin() + p * 32, c_attn_bias.begin() + (p + 1) * 32));
  }
  std::vector<float> fc = (*raw)->LoadTensor("transformer.h.0.mlp.c_fc.weight")->ToF32();  // [32, 128]
  std::vector<float> up = Values(*ckpt, "layers.0.mlp.w_up");                              // [128, 32]
  ASSERT_EQ(ckpt->weights.at("layers.0.mlp.w_up").shape(), (Shape{128, 32}));
  EXPECT_EQ(up[5 * 32 + 7], fc[7 * 128 + 5]);
  EXPECT_EQ(ckpt->weights.at("layers.0.mlp.w_down").shape(), (Shape{32, 128}));
}

// A small llama written by the test itself: config.json plus weights in one or two shards.
struct TinyLlama {
  static constexpr int kDim = 8, kHeads = 2, kKvHeads = 1, kHeadDim = 4, kInter = 12, kVocab = 10, kLayers = 2;

  std::vector<std::pair<std::string, std::vector<int64_t>>> Tensors() const {
    std::vector<std::pair<std::string, std::vector<int64_t>>> t = {{"model.embed_tokens.weight", {kVocab, kDim}},
                                                                   {"model.norm.weight", {kDim}},
                                                                   {"lm_head.weight", {kVocab, kDim}}};
    for (int l = 0; l < kLayers; ++l) {
      std::string p = "model.layers." + std::to_string(l) + ".";
      t.push_back({p + "input_layernorm.weight", {kDim}});
      t.push_back({p + "post_attention_layernorm.weight", {kDim}});
      t.push_back({p + "self_attn.q_proj.weight", {kHeads * kHeadDim, kDim}});
      t.push_back({p + "self_attn.k_proj.weight", {kKvHeads * kHeadDim, kDim}});
      t.push_back({p + "self_attn.v_proj.weight", {kKvHeads * kHeadDim, kDim}});
      t.push_back({p + "self_attn.o_proj.weight", {kDim, kHeads * kHeadDim}});
      t.push_back({p + "mlp.gate_proj.weight", {kInter, kDim}});
      t.push_back({p + "mlp.up_proj.weight", {kInter, kDim}});
      t.push_back({p + "mlp.down_proj.weight", {kDim, kInter}});
    }
    return t;
  }

  static nlohmann::json Config() {
    return {{"model_type", "llama"}, {"hidden_size", kDim},         {"intermediate_size", kInter},
            {"num_hidden_layers", kLayers}, {"num_attention_heads", kHeads}, {"num_key_value_heads", kKvHeads},
            {"vocab_size", kVocab}, {"max_position_embeddings", 32}, {"bos_token_id", 1}, {"eos_token_id", 2}};
  }

  // Writes the checkpoint; `edit` may rename, reshape or drop a tensor (return false to drop it).
  void Write(const TempDir& dir, bool sharded,
             const std::function<bool(std::string&, std::vector<int64_t>&, std::string&)>& edit = nullptr) const {
    WriteBytes(dir.File("config.json"), Config().dump());
    SafetensorsWriter shards[2];
    nlohmann::json weight_map = nlohmann::json::object();
    int index = 0;
    for (auto [name, shape] : Tensors()) {
      std::vector<float> values(NumElements(Shape(shape.begin(), shape.end())));
      for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(index * 1000 + i) / 64.0f;
      std::string dtype = index % 2 ? "F16" : "BF16";
      std::string bytes;
      for (float v : values) AppendPod(bytes, dtype == "F16" ? F32ToF16(v) : F32ToBF16(v));
      ++index;
      if (edit && !edit(name, shape, dtype)) continue;
      int shard = sharded ? index % 2 : 0;
      shards[shard].Add(name, dtype, shape, bytes);
      weight_map[name] = shard ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
    }
    if (sharded) {
      WriteBytes(dir.File("model-00001-of-00002.safetensors"), shards[0].Build());
      WriteBytes(dir.File("model-00002-of-00002.safetensors"), shards[1].Build());
      WriteBytes(dir.File("model.safetensors.index.json"), nlohmann::json({{"weight_map", weight_map}}).dump());
    } else {
      WriteBytes(dir.File("model.safetensors"), shards[0].Build());
    }
  }
};

TEST(CheckpointTest, ShardedHfCheckpoint) {
  TempDir dir;
  TinyLlama().Write(dir, /*sharded=*/true);
  auto ckpt = LoadCheckpoint(dir.path());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_EQ(ckpt->weights.size(), 3u + 9u * 2u);
  const Tensor& wk = ckpt->weights.at("layers.1.attn.wk");
  EXPECT_EQ(wk.shape(), (Shape{4, 8}));
  // Tensor #3 + 9 + 3 = 15 (layer 1's k_proj), written as F16 (odd index) with value (15*1000 + i)/64.
  EXPECT_EQ(wk.dtype(), DType::kF16);
  EXPECT_EQ(wk.ToF32()[2], F16ToF32(F32ToF16((15 * 1000 + 2) / 64.0f)));
  EXPECT_EQ(ckpt->weights.at("tok_embeddings").dtype(), DType::kBF16);
  // Also loadable through the index file itself.
  EXPECT_TRUE(LoadCheckpoint(dir.File("model.safetensors.index.json")).ok());
}

void ExpectLoadError(const std::function<bool(std::string&, std::vector<int64_t>&, std::string&)>& edit,
                     const std::vector<std::string>& fragments) {
  TempDir dir;
  TinyLlama().Write(dir, /*sharded=*/false, edit);
  auto ckpt = LoadCheckpoint(dir.path());
  ASSERT_FALSE(ckpt.ok());
  for (const std::string& f : fragments) EXPECT_THAT(std::string(ckpt.status().message()), HasSubstr(f));
}

TEST(CheckpointTest, MissingMisshapedUnknownAndWrongDtypeWeights) {
  ExpectLoadError([](std::string& name, auto&, auto&) { return name != "model.layers.1.mlp.up_proj.weight"; },
                  {"layers.1.mlp.w_up", "[12, 8]", "model.safetensors"});
  ExpectLoadError(
      [](std::string& name, std::vector<int64_t>& shape, auto&) {
        if (name == "model.layers.0.self_attn.v_proj.weight") shape = {8, 4};
        return true;
      },
      {"layers.0.attn.wv", "[8, 4]", "[4, 8]", "model.safetensors"});
  ExpectLoadError(
      [](std::string& name, auto&, auto&) {
        if (name == "model.norm.weight") name = "model.final_layernorm.weight";
        return true;
      },
      {"model.final_layernorm.weight"});
  ExpectLoadError(
      [](std::string& name, auto&, auto&) {
        if (name == "model.layers.1.input_layernorm.weight") name = "model.layers.7.input_layernorm.weight";
        return true;
      },
      {"layer 7", "2 layers"});
  ExpectLoadError(
      [](std::string& name, auto&, std::string& dtype) {
        if (name == "model.norm.weight") dtype = "F64";
        return true;
      },
      {"model.safetensors", "data_offsets"});
}

TEST(CheckpointTest, ConfigClaimingBillionsOfLayersFailsFast) {
  TempDir dir;
  TinyLlama().Write(dir, /*sharded=*/false);
  nlohmann::json config = TinyLlama::Config();
  config["num_hidden_layers"] = 2000000000;
  WriteBytes(dir.File("config.json"), config.dump());
  auto ckpt = LoadCheckpoint(dir.path());
  ASSERT_FALSE(ckpt.ok());
  EXPECT_THAT(std::string(ckpt.status().message()), HasSubstr("'layers.2.attn_norm.weight'"));
}

TEST(CheckpointTest, Gpt2GgufFusedQkvIsSplit) {
  const int dim = 4, vocab = 3, ctx = 5, ff = 8;
  GgufWriter w;
  w.AddString("general.architecture", "gpt2").AddU32("gpt2.embedding_length", dim).AddU32("gpt2.block_count", 1)
      .AddU32("gpt2.feed_forward_length", ff).AddU32("gpt2.attention.head_count", 2).AddU32("gpt2.context_length", ctx)
      .AddStringArray("tokenizer.ggml.tokens", {"a", "b", "c"});
  auto seq = [](int n, float base) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = base + i;
    return FloatBytes(v);
  };
  w.AddTensor("token_embd.weight", {dim, vocab}, 0, seq(dim * vocab, 0));
  w.AddTensor("position_embd.weight", {dim, ctx}, 0, seq(dim * ctx, 0));
  w.AddTensor("output_norm.weight", {dim}, 0, seq(dim, 0)).AddTensor("output_norm.bias", {dim}, 0, seq(dim, 0));
  w.AddTensor("blk.0.attn_norm.weight", {dim}, 0, seq(dim, 0)).AddTensor("blk.0.attn_norm.bias", {dim}, 0, seq(dim, 0));
  w.AddTensor("blk.0.ffn_norm.weight", {dim}, 0, seq(dim, 0)).AddTensor("blk.0.ffn_norm.bias", {dim}, 0, seq(dim, 0));
  w.AddTensor("blk.0.attn_qkv.weight", {dim, 3 * dim}, 0, seq(3 * dim * dim, 100));
  w.AddTensor("blk.0.attn_qkv.bias", {3 * dim}, 0, seq(3 * dim, 500));
  w.AddTensor("blk.0.attn_output.weight", {dim, dim}, 0, seq(dim * dim, 0));
  w.AddTensor("blk.0.attn_output.bias", {dim}, 0, seq(dim, 0));
  w.AddTensor("blk.0.ffn_up.weight", {dim, ff}, 0, seq(dim * ff, 0)).AddTensor("blk.0.ffn_up.bias", {ff}, 0, seq(ff, 0));
  w.AddTensor("blk.0.ffn_down.weight", {ff, dim}, 0, seq(dim * ff, 0));
  w.AddTensor("blk.0.ffn_down.bias", {dim}, 0, seq(dim, 0));
  TempDir dir;
  WriteBytes(dir.File("g.gguf"), w.Build());
  auto ckpt = LoadCheckpoint(dir.File("g.gguf"));
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_EQ(ckpt->weights.at("layers.0.attn.wk").shape(), (Shape{dim, dim}));
  EXPECT_EQ(Values(*ckpt, "layers.0.attn.wk")[0], 100.0f + dim * dim);
  EXPECT_EQ(Values(*ckpt, "layers.0.attn.wv").back(), 100.0f + 3 * dim * dim - 1);
  EXPECT_EQ(Values(*ckpt, "layers.0.attn.wv.bias")[0], 500.0f + 2 * dim);
  EXPECT_EQ(ckpt->weights.at("layers.0.mlp.w_up").shape(), (Shape{ff, dim}));
  EXPECT_FALSE(ckpt->weights.contains("layers.0.mlp.w_gate"));
}

// A layer group (ModelSpec.layer_groups) may give a layer another feed-forward width: a fused gate|up weight is
// split with its own layer's width, and one that does not match it names the layer.
TEST(CheckpointTest, FusedGateUpIsSplitWithItsOwnLayersWidth) {
  const std::string dir = kFixtures + "/phi3-tiny/hf";
  auto ckpt = LoadCheckpoint(dir);
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  spec::ModelSpec s = *ckpt->spec;
  const uint32_t ff = s.layer().mlp().intermediate_dim(), wide = 2 * ff;
  spec::LayerGroup* group = s.add_layer_groups();
  group->add_layers(1);
  *group->mutable_layer() = s.layer();
  group->mutable_layer()->mutable_mlp()->set_intermediate_dim(wide);
  auto spec = ValidateModel(s);
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto st = SafetensorsCheckpoint::Open(dir + "/model.safetensors");
  ASSERT_TRUE(st.ok()) << st.status();
  const int64_t hidden = s.hidden_dim();
  auto map = [&](int64_t layer1_rows) {
    auto load = [&](const std::string& name) -> absl::StatusOr<Tensor> {
      if (name != "model.layers.1.mlp.gate_up_proj.weight") return (*st)->LoadTensor(name);
      std::vector<float> v(layer1_rows * hidden);
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i / hidden);  // each row holds its index
      return Tensor::FromF32({layer1_rows, hidden}, v);
    };
    return MapWeights(HfNames(s.family()), *spec, (*st)->TensorNames(), load, "phi3");
  };
  auto weights = map(2 * wide);
  ASSERT_TRUE(weights.ok()) << weights.status();
  EXPECT_EQ(weights->at("layers.0.mlp.w_up").shape(), (Shape{ff, hidden}));
  EXPECT_EQ(weights->at("layers.1.mlp.w_gate").shape(), (Shape{wide, hidden}));
  EXPECT_EQ(weights->at("layers.1.mlp.w_up").ToF32()[0], static_cast<float>(wide));
  auto narrow = map(2 * ff);
  ASSERT_FALSE(narrow.ok());
  EXPECT_THAT(std::string(narrow.status().message()), HasSubstr("layer 1"));
  EXPECT_THAT(std::string(narrow.status().message()), HasSubstr(absl::StrCat(2 * wide, " rows")));
}

TEST(CheckpointTest, UnrecognisedPathsFailClearly) {
  EXPECT_EQ(LoadCheckpoint("/nonexistent/model.gguf").status().code(), absl::StatusCode::kNotFound);
  TempDir dir;
  auto no_config = LoadCheckpoint(dir.path());
  ASSERT_FALSE(no_config.ok());
  EXPECT_THAT(std::string(no_config.status().message()), HasSubstr("config.json"));
  WriteBytes(dir.File("junk.bin"), std::string(100, 'x'));
  auto junk = LoadCheckpoint(dir.File("junk.bin"));
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(std::string(junk.status().message()), HasSubstr("junk.bin"));
  WriteBytes(dir.File("config.json"), "{\"model_type\": \"llama\"");
  auto bad_json = LoadCheckpoint(dir.path());
  ASSERT_FALSE(bad_json.ok());
  EXPECT_THAT(std::string(bad_json.status().message()), HasSubstr("not valid JSON"));
}

}  // namespace
}  // namespace ttt::formats
