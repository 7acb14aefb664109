#include "core/blocks/rope/rope.h"

#include <cmath>

namespace ttt {

std::vector<double> RopeInverseFrequencies(const spec::RopeSpec& spec) {
  const int64_t pairs = spec.rotary_dim() / 2;
  std::vector<double> inv(pairs);
  for (int64_t i = 0; i < pairs; ++i) {
    // Computed in f32 like the reference implementations (HF, llama.cpp, run.c) so angles agree.
    float exponent = static_cast<float>(2 * i) / static_cast<float>(spec.rotary_dim());
    inv[i] = 1.0f / std::pow(static_cast<float>(spec.theta()), exponent);
  }
  const spec::RopeScaling& sc = spec.scaling();
  if (sc.type() == spec::RopeScaling::LINEAR) {
    for (double& f : inv) f /= sc.factor();
  } else if (sc.type() == spec::RopeScaling::LLAMA3) {
    // Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, the band between blended.
    const double low_wavelen = sc.original_max_position_embeddings() / sc.low_freq_factor();
    const double high_wavelen = sc.original_max_position_embeddings() / sc.high_freq_factor();
    for (double& f : inv) {
      double wavelen = 2 * M_PI / f;
      if (wavelen < high_wavelen) continue;
      if (wavelen > low_wavelen) {
        f /= sc.factor();
      } else {
        double smooth = (sc.original_max_position_embeddings() / wavelen - sc.low_freq_factor()) /
                        (sc.high_freq_factor() - sc.low_freq_factor());
        f = (1 - smooth) * f / sc.factor() + smooth * f;
      }
    }
  }
  return inv;
}

Rope::Rope(const spec::RopeSpec& spec, int64_t max_seq_len)
    : spec_(spec),
      convention_(spec.convention() == spec::RopeSpec::INTERLEAVED ? ops::RopeConvention::kInterleaved
                                                                   : ops::RopeConvention::kRotateHalf),
      inv_freq_(RopeInverseFrequencies(spec)) {
  const int64_t pairs = spec.rotary_dim() / 2;
  cos_.resize(static_cast<size_t>(max_seq_len * pairs));
  sin_.resize(cos_.size());
  for (int64_t p = 0; p < max_seq_len; ++p) {
    for (int64_t i = 0; i < pairs; ++i) {
      float angle = static_cast<float>(p) * static_cast<float>(inv_freq_[i]);
      cos_[p * pairs + i] = std::cos(angle);
      sin_[p * pairs + i] = std::sin(angle);
    }
  }
}

void Rope::Apply(float* x, int64_t tokens, int64_t heads, const int32_t* positions) const {
  ops::Rope(x, tokens, heads, spec_.head_dim(), spec_.rotary_dim(), positions, cos_.data(), sin_.data(), convention_);
}

void Rope::RotateBy(float* x, int64_t tokens, int64_t heads, int64_t delta) const {
  if (delta == 0 || tokens == 0) return;
  // A one-row table holding the angles of `delta`, read as position 0 by every token.
  const size_t pairs = inv_freq_.size();
  std::vector<float> cos(pairs), sin(pairs);
  for (size_t i = 0; i < pairs; ++i) {
    const double angle = static_cast<double>(delta) * inv_freq_[i];
    cos[i] = static_cast<float>(std::cos(angle));
    sin[i] = static_cast<float>(std::sin(angle));
  }
  const int64_t row = heads * spec_.head_dim();
  const int32_t position = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    ops::Rope(x + t * row, 1, heads, spec_.head_dim(), spec_.rotary_dim(), &position, cos.data(), sin.data(),
              convention_);
  }
}

}  // namespace ttt
