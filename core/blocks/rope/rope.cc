#include "core/blocks/rope/rope.h"

#include <cmath>

namespace ttt {

const google::protobuf::RepeatedField<double>& LongRopeFactors(const spec::RopeScaling& scaling, int64_t context) {
  return context > static_cast<int64_t>(scaling.original_max_position_embeddings()) ? scaling.long_factor()
                                                                                      : scaling.short_factor();
}

double RopeMagnitude(const spec::RopeScaling& scaling) {
  if (scaling.type() != spec::RopeScaling::LONGROPE) return 1.0;
  if (scaling.attention_factor() > 0) return scaling.attention_factor();
  // Phi-3's default (Hugging Face and llama.cpp's converter alike).
  if (scaling.factor() <= 1.0) return 1.0;
  return std::sqrt(1.0 + std::log(scaling.factor()) / std::log(double(scaling.original_max_position_embeddings())));
}

std::vector<double> RopeInverseFrequencies(const spec::RopeSpec& spec, int64_t context) {
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
  } else if (sc.type() == spec::RopeScaling::LONGROPE) {
    // Divided in f32 as llama.cpp's ggml_rope_ext and Hugging Face do (validation checked the lengths).
    const auto& factors = LongRopeFactors(sc, context);
    for (int64_t i = 0; i < pairs; ++i) inv[i] = static_cast<float>(inv[i]) / static_cast<float>(factors[i]);
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

Rope::Rope(const spec::RopeSpec& spec, int64_t context, int64_t table_rows)
    : spec_(spec),
      convention_(spec.convention() == spec::RopeSpec::INTERLEAVED ? ops::RopeConvention::kInterleaved
                                                                   : ops::RopeConvention::kRotateHalf),
      inv_freq_(RopeInverseFrequencies(spec, context)) {
  const int64_t pairs = spec.rotary_dim() / 2, rows = table_rows < 0 ? context : table_rows;
  const float magnitude = static_cast<float>(RopeMagnitude(spec.scaling()));
  cos_.resize(static_cast<size_t>(rows * pairs));
  sin_.resize(cos_.size());
  for (int64_t p = 0; p < rows; ++p) {
    for (int64_t i = 0; i < pairs; ++i) {
      float angle = static_cast<float>(p) * static_cast<float>(inv_freq_[i]);
      cos_[p * pairs + i] = std::cos(angle) * magnitude;
      sin_[p * pairs + i] = std::sin(angle) * magnitude;
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
