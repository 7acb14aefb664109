#include "core/testing/reference_model.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/blocks/attention/position_bias.h"
#include "core/runtime/status.h"

namespace ttt::testing {

DVector RefLinear::Forward(const DVector& x, int64_t rows) const {
  DVector y(rows * w.rows);
  for (int64_t r = 0; r < rows; ++r) {
    const double* xr = x.data() + r * w.cols;
    for (int64_t o = 0; o < w.rows; ++o) {
      const double* wr = w.row(o);
      double s = b.empty() ? 0.0 : b[o];
      for (int64_t i = 0; i < w.cols; ++i) s += xr[i] * wr[i];
      y[r * w.rows + o] = s;
    }
  }
  return y;
}

DVector RefNorm::Forward(const DVector& x, int64_t rows) const {
  const int64_t d = spec.dim();
  const double eps = spec.has_eps() ? spec.eps() : 1e-5;
  DVector y(rows * d);
  for (int64_t r = 0; r < rows; ++r) {
    const double* xr = x.data() + r * d;
    double* yr = y.data() + r * d;
    if (spec.kind() == spec::NormSpec::LAYER_NORM) {
      double mean = 0, var = 0;
      for (int64_t i = 0; i < d; ++i) mean += xr[i];
      mean /= d;
      for (int64_t i = 0; i < d; ++i) var += (xr[i] - mean) * (xr[i] - mean);
      var /= d;
      const double inv = 1.0 / std::sqrt(var + eps);
      for (int64_t i = 0; i < d; ++i) yr[i] = (xr[i] - mean) * inv * w[i] + (b.empty() ? 0.0 : b[i]);
    } else {
      double ms = 0;
      for (int64_t i = 0; i < d; ++i) ms += xr[i] * xr[i];
      const double inv = 1.0 / std::sqrt(ms / d + eps);
      for (int64_t i = 0; i < d; ++i) yr[i] = xr[i] * inv * (spec.unit_offset() ? 1.0 + w[i] : w[i]);
    }
  }
  return y;
}

namespace {

double Activate(spec::Activation a, double x) {
  switch (a) {
    case spec::GELU: return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2));
    case spec::GELU_TANH: {
      const double c = std::sqrt(2.0 / std::numbers::pi);
      return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
    }
    case spec::RELU: return x > 0 ? x : 0.0;
    default: return x / (1.0 + std::exp(-x));  // SiLU
  }
}

// LongRoPE's attention factor (Phi-3's default when unset), 1 for every other scaling.
double RefRopeMagnitude(const spec::RopeScaling& sc) {
  if (sc.type() != spec::RopeScaling::LONGROPE) return 1.0;
  if (sc.attention_factor() > 0) return sc.attention_factor();
  return sc.factor() > 1 ? std::sqrt(1 + std::log(sc.factor()) / std::log(sc.original_max_position_embeddings())) : 1.0;
}

// Rotates pairs of the first rotary_dim dims of each head of x [heads, head_dim] at `position`.
void RotateHeads(const spec::RopeSpec& rope, const DVector& inv_freq, double* x, int64_t heads, int64_t head_dim,
                 int64_t position) {
  const int64_t half = rope.rotary_dim() / 2;
  const bool interleaved = rope.convention() == spec::RopeSpec::INTERLEAVED;
  const double magnitude = RefRopeMagnitude(rope.scaling());
  for (int64_t h = 0; h < heads; ++h) {
    double* xh = x + h * head_dim;
    for (int64_t i = 0; i < half; ++i) {
      const double angle = position * inv_freq[i];
      const double c = magnitude * std::cos(angle), s = magnitude * std::sin(angle);
      double& a = interleaved ? xh[2 * i] : xh[i];
      double& b = interleaved ? xh[2 * i + 1] : xh[i + half];
      const double a0 = a, b0 = b;
      a = a0 * c - b0 * s;
      b = a0 * s + b0 * c;
    }
  }
}

}  // namespace

DVector RefMlp::Forward(const DVector& x, int64_t rows) const {
  DVector u = up.Forward(x, rows);
  if (spec.gated()) {
    const DVector g = gate.Forward(x, rows);
    for (size_t i = 0; i < u.size(); ++i) u[i] *= Activate(spec.activation(), g[i]);
  } else {
    for (double& v : u) v = Activate(spec.activation(), v);
  }
  return down.Forward(u, rows);
}

DVector RefRopeInverseFrequencies(const spec::RopeSpec& rope, int64_t context) {
  const int64_t half = rope.rotary_dim() / 2;
  const double theta = rope.has_theta() ? rope.theta() : 10000.0;
  DVector f(half);
  const auto& sc = rope.scaling();
  for (int64_t i = 0; i < half; ++i) {
    double freq = std::pow(theta, -2.0 * i / rope.rotary_dim());
    if (sc.type() == spec::RopeScaling::LINEAR) {
      freq /= sc.factor();
    } else if (sc.type() == spec::RopeScaling::LONGROPE) {
      // Phi-3: a divisor per pair, the long set when the model's context exceeds the original one.
      const bool longer = context > static_cast<int64_t>(sc.original_max_position_embeddings());
      freq /= longer ? sc.long_factor(i) : sc.short_factor(i);
    } else if (sc.type() == spec::RopeScaling::LLAMA3) {
      // Llama 3.1: long wavelengths slowed by `factor`, short ones kept, a smooth blend in between.
      const double old_len = sc.original_max_position_embeddings();
      const double low_wavelen = old_len / sc.low_freq_factor(), high_wavelen = old_len / sc.high_freq_factor();
      const double wavelen = 2 * std::numbers::pi / freq;
      if (wavelen > low_wavelen) {
        freq /= sc.factor();
      } else if (wavelen >= high_wavelen) {
        const double smooth = (old_len / wavelen - sc.low_freq_factor()) / (sc.high_freq_factor() - sc.low_freq_factor());
        freq = (1 - smooth) * freq / sc.factor() + smooth * freq;
      }
    }
    f[i] = freq;
  }
  return f;
}

absl::StatusOr<DVector> RefPositionBiasSlopes(const spec::AttentionSpec& attention) {
  if (!attention.has_position_bias()) return DVector{};
  TTT_ASSIGN_OR_RETURN(std::vector<float> slopes, PositionBiasSlopes(attention.position_bias(), attention.num_heads()));
  return DVector(slopes.begin(), slopes.end());
}

DVector RefAttention::Forward(const DVector& x, int64_t tokens) const {
  // The spec is validated: num_kv_heads, head_dim and softmax_scale are filled in.
  const int64_t heads = spec.num_heads(), kv_heads = spec.num_kv_heads(), hd = spec.head_dim();
  DVector q = wq.Forward(x, tokens), k = wk.Forward(x, tokens), v = wv.Forward(x, tokens);
  if (spec.use_rope()) {
    const DVector inv = RefRopeInverseFrequencies(spec.rope(), spec.max_seq_len());
    for (int64_t t = 0; t < tokens; ++t) {
      RotateHeads(spec.rope(), inv, q.data() + t * heads * hd, heads, hd, t);
      RotateHeads(spec.rope(), inv, k.data() + t * kv_heads * hd, kv_heads, hd, t);
    }
  }
  const double scale = spec.softmax_scale();
  const bool causal = !spec.has_causal() || spec.causal();
  const int64_t pattern = spec.sliding_window_pattern();
  const int64_t window = pattern > 1 && layer % pattern == pattern - 1 ? 0 : spec.sliding_window();
  const double softcap = spec.logit_softcap();
  DVector attn(tokens * heads * hd, 0.0), p(tokens);
  for (int64_t h = 0; h < heads; ++h) {
    const int64_t g = h / (heads / kv_heads);
    for (int64_t t = 0; t < tokens; ++t) {
      const double* qv = q.data() + (t * heads + h) * hd;
      double mx = -INFINITY;
      for (int64_t j = 0; j < tokens; ++j) {
        const bool visible = (!causal || j <= t) && (window == 0 || std::abs(t - j) < window);
        if (!visible) {
          p[j] = -INFINITY;
          continue;
        }
        const double* kv = k.data() + (j * kv_heads + g) * hd;
        double s = 0;
        for (int64_t d = 0; d < hd; ++d) s += qv[d] * kv[d];
        p[j] = softcap > 0 ? softcap * std::tanh(s * scale / softcap) : s * scale;
        if (!position_bias_slopes.empty()) p[j] -= position_bias_slopes[h] * std::abs(static_cast<double>(t - j));
        mx = std::max(mx, p[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < tokens; ++j) sum += (p[j] = std::isinf(p[j]) ? 0.0 : std::exp(p[j] - mx));
      double* out = attn.data() + (t * heads + h) * hd;
      for (int64_t j = 0; j < tokens; ++j) {
        if (p[j] == 0.0) continue;
        const double* vv = v.data() + (j * kv_heads + g) * hd;
        for (int64_t d = 0; d < hd; ++d) out[d] += p[j] / sum * vv[d];
      }
    }
  }
  return wo.Forward(attn, tokens);
}

DVector RefDecoderLayer::Forward(const DVector& x, int64_t tokens, LayerActivations* capture) const {
  DVector h = attn_norm.Forward(x, tokens);
  DVector a = attn.Forward(h, tokens);
  if (attn_post_norm) a = attn_post_norm->Forward(a, tokens);
  DVector mid = x;
  for (size_t i = 0; i < mid.size(); ++i) mid[i] += a[i];
  DVector h2 = mlp_norm.Forward(mid, tokens);
  DVector m = feed_forward ? feed_forward->forward(h2, tokens) : mlp.Forward(h2, tokens);
  if (mlp_post_norm) m = mlp_post_norm->Forward(m, tokens);
  DVector out = mid;
  for (size_t i = 0; i < out.size(); ++i) out[i] += m[i];
  for (const RefLayerModule& module : modules) {
    const DVector y = module.forward(module.norm ? module.norm->Forward(out, tokens) : out, tokens);
    for (size_t i = 0; i < out.size(); ++i) out[i] += y[i];
  }
  if (capture) *capture = LayerActivations{x, std::move(h), std::move(mid), std::move(h2), out};
  return out;
}

DVector RefEmbed(const DMatrix& table, double scale, const std::vector<int32_t>& ids) {
  DVector out(ids.size() * table.cols);
  for (size_t t = 0; t < ids.size(); ++t) {
    const double* r = table.row(ids[t]);
    for (int64_t i = 0; i < table.cols; ++i) out[t * table.cols + i] = r[i] * scale;
  }
  return out;
}

DVector RefModel::Embed(const std::vector<int32_t>& tokens) const {
  const auto& te = spec.token_embedding();
  DVector x = RefEmbed(tok_embeddings, te.has_scale() ? te.scale() : 1.0, tokens);
  if (spec.learned_positions()) {
    for (size_t t = 0; t < tokens.size(); ++t) {
      for (int64_t i = 0; i < pos_embeddings.cols; ++i) x[t * pos_embeddings.cols + i] += pos_embeddings.row(t)[i];
    }
  }
  return x;
}

void RefSoftCapLogits(double cap, DVector& logits) {
  if (cap <= 0) return;
  for (double& z : logits) z = cap * std::tanh(z / cap);
}

DVector RefModel::Logits(const std::vector<int32_t>& tokens, ModelActivations* capture) const {
  const int64_t n = static_cast<int64_t>(tokens.size());
  DVector x = Embed(tokens);
  if (capture) {
    capture->tokens = tokens;
    capture->layers.resize(layers.size());
  }
  for (size_t l = 0; l < layers.size(); ++l) x = layers[l].Forward(x, n, capture ? &capture->layers[l] : nullptr);
  DVector h = final_norm.Forward(x, n);
  DVector logits = lm_head.Forward(h, n);
  RefSoftCapLogits(spec.lm_head().logit_softcap(), logits);
  if (capture) {
    capture->final_norm_input = std::move(x);
    capture->head_input = std::move(h);
    capture->logits = logits;
  }
  return logits;
}

}  // namespace ttt::testing
