// RMSNorm (plain and 1 + w) and LayerNorm blocks against float64 implementations of their spec.
#include "core/blocks/norm/norm.h"
#include "core/specs/validate.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace ttt {
namespace {

Tensor Random(Shape shape, std::mt19937& rng, float sd) {
  std::normal_distribution<float> d(0.0f, sd);
  Tensor t = Tensor::Empty(DType::kF32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

TEST(NormBlockTest, RmsNormUnitOffsetAndLayerNormMatchFloat64) {
  std::mt19937 rng(3);
  WeightMap w;
  w["n.weight"] = Random({19}, rng, 0.5f);
  w["n.bias"] = Random({19}, rng, 0.5f);
  Tensor x = Random({2, 19}, rng, 2.0f);
  for (int kind = 0; kind < 3; ++kind) {
    spec::NormSpec s;
    s.set_dim(19);
    s.set_eps(1e-6f);
    s.set_kind(kind == 2 ? spec::NormSpec::LAYER_NORM : spec::NormSpec::RMS_NORM);
    s.set_unit_offset(kind == 1);
    s.set_bias(kind == 2);
    WeightMap ws = w;
    if (kind != 2) ws.erase("n.bias");
    auto norm = Norm::Create(*Validate(s), ws, "n");
    ASSERT_TRUE(norm.ok()) << norm.status();
    std::vector<float> out(2 * 19);
    norm->Forward(x.data<float>(), 2, out.data());
    for (int r = 0; r < 2; ++r) {
      const float* xr = x.data<float>() + r * 19;
      double mean = 0, sq = 0;
      for (int i = 0; i < 19; ++i) mean += xr[i] / 19.0;
      for (int i = 0; i < 19; ++i) sq += (kind == 2 ? (xr[i] - mean) * (xr[i] - mean) : xr[i] * xr[i]) / 19.0;
      for (int i = 0; i < 19; ++i) {
        double g = w.at("n.weight").data<float>()[i];
        double v = kind == 2 ? (xr[i] - mean) / std::sqrt(sq + 1e-6) * g + w.at("n.bias").data<float>()[i]
                             : xr[i] / std::sqrt(sq + 1e-6) * (kind == 1 ? 1 + g : g);
        EXPECT_NEAR(out[r * 19 + i], v, 1e-5) << "kind " << kind << " row " << r << " col " << i;
      }
    }
  }
}

TEST(NormBlockTest, MissingAndUnexpectedWeightsAreNamed) {
  spec::NormSpec s;
  s.set_dim(4);
  s.set_kind(spec::NormSpec::RMS_NORM);
  WeightMap w;
  auto missing = Norm::Create(*Validate(s), w, "layers.2.attn_norm");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("'layers.2.attn_norm.weight' [4] is missing"), std::string::npos);
  w["layers.2.attn_norm.weight"] = Tensor::Empty(DType::kF32, {5});
  auto wrong = Norm::Create(*Validate(s), w, "layers.2.attn_norm");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(std::string(wrong.status().message()).find("has shape [5] but the spec needs [4]"), std::string::npos);
}

}  // namespace
}  // namespace ttt
