#include "core/testing/reference_weights.h"

#include "absl/strings/str_cat.h"
#include "core/ops/weight_quantization.h"
#include "core/blocks/model_modules.h"
#include "core/runtime/status.h"
#include "core/specs/layer_groups.h"

namespace ttt::testing {

DMatrix ToDouble(const Tensor& t) {
  DMatrix m;
  if (!t.defined()) return m;
  const std::vector<float> f = t.Contiguous().ToF32();
  m.rows = t.rank() >= 2 ? t.dim(0) : 1;
  m.cols = t.rank() >= 2 ? t.numel() / m.rows : t.numel();
  m.v.assign(f.begin(), f.end());
  return m;
}

DVector ToDoubleVector(const Tensor& t) { return ToDouble(t).v; }

RefLinear RefFromModule(const Linear& linear) {
  RefLinear r;
  r.w = ToDouble(ops::DequantizeWeight(linear.weight()));
  r.b = ToDoubleVector(linear.bias());
  return r;
}

namespace {

// Rows [begin, begin + count) of a linear as a linear of its own.
RefLinear Rows(const RefLinear& l, int64_t begin, int64_t count) {
  RefLinear r;
  r.w.rows = count;
  r.w.cols = l.w.cols;
  r.w.v.assign(l.w.v.begin() + begin * l.w.cols, l.w.v.begin() + (begin + count) * l.w.cols);
  if (!l.b.empty()) r.b.assign(l.b.begin() + begin, l.b.begin() + begin + count);
  return r;
}

absl::StatusOr<Tensor> Find(const WeightMap& w, const std::string& name) {
  auto it = w.find(name);
  if (it == w.end()) {
    return absl::NotFoundError(absl::StrCat("reference model: weight '", name,
                                            "' is missing from the source checkpoint's weights; check the spec "
                                            "matches the checkpoint"));
  }
  return it->second;
}

absl::StatusOr<RefLinear> LinearFrom(const WeightMap& w, const std::string& name, bool bias) {
  RefLinear r;
  TTT_ASSIGN_OR_RETURN(Tensor t, Find(w, name));
  r.w = ToDouble(t);
  if (bias) {
    TTT_ASSIGN_OR_RETURN(Tensor b, Find(w, name + ".bias"));
    r.b = ToDoubleVector(b);
  }
  return r;
}

absl::StatusOr<RefNorm> NormFrom(const spec::NormSpec& spec, const WeightMap& w, const std::string& prefix) {
  RefNorm n{spec, {}, {}};
  TTT_ASSIGN_OR_RETURN(Tensor t, Find(w, prefix + ".weight"));
  n.w = ToDoubleVector(t);
  if (spec.kind() == spec::NormSpec::LAYER_NORM && spec.bias()) {
    TTT_ASSIGN_OR_RETURN(Tensor b, Find(w, prefix + ".bias"));
    n.b = ToDoubleVector(b);
  }
  return n;
}

}  // namespace

RefNorm RefFromModule(const Norm& norm) {
  return RefNorm{norm.spec(), ToDoubleVector(norm.weight()), ToDoubleVector(norm.bias())};
}

RefMlp RefFromModule(const Mlp& mlp) {
  RefMlp r;
  r.spec = mlp.spec();
  const RefLinear up = RefFromModule(mlp.up_projection());
  if (mlp.spec().gated()) {
    const int64_t inter = mlp.spec().intermediate_dim();
    r.gate = Rows(up, 0, inter);
    r.up = Rows(up, inter, inter);
  } else {
    r.up = up;
  }
  r.down = RefFromModule(mlp.down_projection());
  return r;
}

RefAttention RefFromModule(const Attention& attn) {
  RefAttention r;
  r.spec = attn.spec();
  const int64_t qd = attn.spec().num_heads() * attn.spec().head_dim(), kvd = attn.kv_dim();
  const RefLinear qkv = RefFromModule(attn.qkv_projection());
  r.wq = Rows(qkv, 0, qd);
  r.wk = Rows(qkv, qd, kvd);
  r.wv = Rows(qkv, qd + kvd, kvd);
  r.wo = RefFromModule(attn.output_projection());
  // The module was built from this spec, so its kind is registered.
  r.position_bias_slopes = RefPositionBiasSlopes(attn.spec()).value_or(DVector{});
  return r;
}

RefLayerModule RefFromModule(const Norm* norm, const LayerBlock& block) {
  RefLayerModule r;
  if (norm != nullptr) r.norm = RefFromModule(*norm);
  r.forward = [&block](const DVector& x, int64_t rows) { return block.descriptor().reference(block, x, rows); };
  return r;
}

RefDecoderLayer RefFromModule(const DecoderLayer& layer) {
  RefDecoderLayer r;
  r.attn_norm = RefFromModule(layer.attention_norm());
  r.attn = RefFromModule(layer.attention());
  r.mlp_norm = RefFromModule(layer.mlp_norm());
  const auto& branches = layer.branches();
  r.attn.layer = layer.index();
  if (branches[0].post_norm) r.attn_post_norm = RefFromModule(*branches[0].post_norm);
  if (branches[1].post_norm) r.mlp_post_norm = RefFromModule(*branches[1].post_norm);
  if (layer.mlp() != nullptr) {
    r.mlp = RefFromModule(*layer.mlp());
  } else {
    r.feed_forward = RefFromModule(nullptr, layer.feed_forward());
  }
  for (size_t i = 2; i < branches.size(); ++i) {
    r.modules.push_back(RefFromModule(branches[i].norm ? &*branches[i].norm : nullptr, *branches[i].block));
  }
  return r;
}

RefModel RefFromModule(const CausalLm& model) {
  RefModel r;
  r.spec = model.spec();
  r.tok_embeddings = ToDouble(model.token_embedding().RowMajorTable());
  if (model.position_embedding()) r.pos_embeddings = ToDouble(model.position_embedding()->table());
  for (int64_t i = 0; i < model.num_layers(); ++i) r.layers.push_back(RefFromModule(model.layer(i)));
  r.final_norm = RefFromModule(model.final_norm());
  r.lm_head = RefFromModule(model.lm_head().projection());
  return r;
}

namespace {

// The layer's instance `name` built from the checkpoint's weights, judged by its descriptor's reference; with its
// own norm when `norm` is given.
absl::StatusOr<RefLayerModule> LayerModuleFrom(std::shared_ptr<const ModelModules> modules, int64_t layer,
                                               const std::string& name, const spec::NormSpec* norm,
                                               const WeightMap& w, const std::string& prefix) {
  for (const ModuleInstance& m : modules->layers[layer]) {
    if (m.name != name) continue;
    TTT_ASSIGN_OR_RETURN(std::unique_ptr<LayerBlock> built, m.descriptor->create(m.spec, w, prefix + m.weights));
    std::shared_ptr<const LayerBlock> block(std::move(built));
    RefLayerModule r;
    if (norm != nullptr) {
      TTT_ASSIGN_OR_RETURN(r.norm, NormFrom(*norm, w, prefix + name + "_norm"));
    }
    r.forward = [block, modules](const DVector& x, int64_t rows) {
      return block->descriptor().reference(*block, x, rows);
    };
    return r;
  }
  return absl::InternalError(absl::StrCat("layer module '", name, "' is not among the model's modules"));
}

}  // namespace

absl::StatusOr<RefModel> RefFromWeights(const Validated<spec::ModelSpec>& validated, const WeightMap& w,
                                        const ModuleRegistry& kinds) {
  const spec::ModelSpec& spec = *validated;
  RefModel r;
  r.spec = spec;
  TTT_ASSIGN_OR_RETURN(Tensor tok, Find(w, "tok_embeddings"));
  r.tok_embeddings = ToDouble(tok);
  if (spec.learned_positions()) {
    TTT_ASSIGN_OR_RETURN(Tensor pos, Find(w, "pos_embeddings"));
    r.pos_embeddings = ToDouble(pos);
  }
  TTT_ASSIGN_OR_RETURN(auto listed, ListModelModules(validated, kinds));
  auto modules = std::make_shared<ModelModules>(std::move(listed));  // the layer modules' specs, kept alive
  for (uint32_t i = 0; i < spec.num_layers(); ++i) {
    const std::string p = absl::StrCat("layers.", i, ".");
    const spec::DecoderLayerSpec& ls = LayerSpecOf(spec, i);
    RefDecoderLayer l;
    TTT_ASSIGN_OR_RETURN(l.attn_norm, NormFrom(ls.attention_norm(), w, p + "attn_norm"));
    TTT_ASSIGN_OR_RETURN(l.mlp_norm, NormFrom(ls.mlp_norm(), w, p + "mlp_norm"));
    l.attn.spec = ls.attention();
    const bool qkv_bias = ls.attention().qkv_bias();
    TTT_ASSIGN_OR_RETURN(l.attn.wq, LinearFrom(w, p + "attn.wq", qkv_bias));
    TTT_ASSIGN_OR_RETURN(l.attn.wk, LinearFrom(w, p + "attn.wk", qkv_bias));
    TTT_ASSIGN_OR_RETURN(l.attn.wv, LinearFrom(w, p + "attn.wv", qkv_bias));
    TTT_ASSIGN_OR_RETURN(l.attn.wo, LinearFrom(w, p + "attn.wo", ls.attention().output_bias()));
    TTT_ASSIGN_OR_RETURN(l.attn.position_bias_slopes, RefPositionBiasSlopes(ls.attention()));
    l.attn.layer = i;
    if (ls.has_attention_post_norm()) {
      TTT_ASSIGN_OR_RETURN(l.attn_post_norm, NormFrom(ls.attention_post_norm(), w, p + "attn_post_norm"));
    }
    if (ls.has_mlp_post_norm()) {
      TTT_ASSIGN_OR_RETURN(l.mlp_post_norm, NormFrom(ls.mlp_post_norm(), w, p + "mlp_post_norm"));
    }
    if (ls.has_moe()) {
      TTT_ASSIGN_OR_RETURN(l.feed_forward, LayerModuleFrom(modules, i, "mlp", nullptr, w, p));
    } else {
      l.mlp.spec = ls.mlp();
      const bool bias = ls.mlp().bias();
      if (ls.mlp().gated()) {
        TTT_ASSIGN_OR_RETURN(l.mlp.gate, LinearFrom(w, p + "mlp.w_gate", bias));
      }
      TTT_ASSIGN_OR_RETURN(l.mlp.up, LinearFrom(w, p + "mlp.w_up", bias));
      TTT_ASSIGN_OR_RETURN(l.mlp.down, LinearFrom(w, p + "mlp.w_down", bias));
    }
    // Modules named by kind: each built from the checkpoint's weights, judged by its descriptor's reference.
    for (const spec::ModuleSpec& module : ls.modules()) {
      TTT_ASSIGN_OR_RETURN(RefLayerModule built,
                           LayerModuleFrom(modules, i, module.name().empty() ? module.kind() : module.name(),
                                           module.has_norm() ? &module.norm() : nullptr, w, p));
      l.modules.push_back(std::move(built));
    }
    r.layers.push_back(std::move(l));
  }
  TTT_ASSIGN_OR_RETURN(r.final_norm, NormFrom(spec.final_norm(), w, "final_norm"));
  if (spec.lm_head().tied()) {
    r.lm_head.w = r.tok_embeddings;
  } else {
    TTT_ASSIGN_OR_RETURN(r.lm_head, LinearFrom(w, "lm_head", spec.lm_head().bias()));
  }
  return r;
}

}  // namespace ttt::testing
