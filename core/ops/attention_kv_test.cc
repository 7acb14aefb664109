// Attention over bf16/bfp8 K/V rows: every ISA's kernel against the scalar reference kernel, and ops::Attention
// (query-by-query and sgemm paths, GQA, heads that start inside a bfp8 block) against an independent float64
// attention over the decoded rows.
#include <cmath>
#include <string>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/test_values.h"
#include "core/ops/ops.h"
#include "gtest/gtest.h"

namespace ttt::ops {
namespace {

using testing::ExpectClose;
using testing::RandomValues;

// Rows [keys, kv_dim] of f32 values encoded in `dtype`; `decoded` gets what the encoding stands for.
std::vector<char> Encode(const std::vector<float>& rows, int64_t keys, int64_t kv_dim, DType dtype,
                         std::vector<float>* decoded) {
  const int64_t row_bytes = static_cast<int64_t>(StorageBytes(dtype, kv_dim));
  std::vector<char> out(keys * row_bytes);
  decoded->assign(keys * kv_dim, 0.0f);
  std::vector<float> tmp((kv_dim + 15) / 16 * 16);
  for (int64_t j = 0; j < keys; ++j) {
    ConvertFromF32(rows.data() + j * kv_dim, kv_dim, dtype, out.data() + j * row_bytes);
    ConvertToF32(out.data() + j * row_bytes, kv_dim, dtype, tmp.data());
    std::copy(tmp.begin(), tmp.begin() + kv_dim, decoded->begin() + j * kv_dim);
  }
  return out;
}

class AttentionKvKernels : public ::testing::TestWithParam<Isa> {};

TEST_P(AttentionKvKernels, MatchTheScalarReference) {
  const kernels::KernelTable& table = kernels::Kernels(GetParam());
  const kernels::KernelTable& ref = kernels::Kernels(Isa::kScalar);
  ASSERT_NE(table.attention_queries_kv, nullptr);
  for (DType dtype : {DType::kBF16, DType::kBFP8, DType::kF32}) {
    for (int64_t head_dim : {8, 16, 17, 64}) {
      const int64_t kv_heads = 3, kv_dim = kv_heads * head_dim;
      for (int64_t keys : {1, 17, 300}) {
        std::vector<float> kd, vd;
        auto k = Encode(RandomValues(keys * kv_dim, 21), keys, kv_dim, dtype, &kd);
        auto v = Encode(RandomValues(keys * kv_dim, 22), keys, kv_dim, dtype, &vd);
        const int64_t row_bytes = static_cast<int64_t>(StorageBytes(dtype, kv_dim));
        const int64_t queries = 2;
        auto q = RandomValues(queries * head_dim, 23);
        std::vector<float> work(kernels::AttentionKvWorkFloats(queries, keys, head_dim));
        std::vector<float> out(queries * head_dim), expected(queries * head_dim);
        const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
        // ALiBi slopes for a query at the last key, over keys [keys / 3, keys) (the tiled kernels shift the
        // query's position with the decoded rows).
        const float slopes[2] = {0.25f, 1.0f / 64};
        for (const kernels::ScoreBias bias : {kernels::ScoreBias{}, kernels::ScoreBias{slopes, keys - 1}}) {
          const int64_t begin = bias.slopes ? keys / 3 : 0;
          for (int64_t h = 0; h < kv_heads; ++h) {
            table.attention_queries_kv(q.data(), queries, k.data(), v.data(), dtype, row_bytes, h * head_dim, begin,
                                       keys, head_dim, scale, bias, work.data(), out.data());
            ref.attention_queries_kv(q.data(), queries, k.data(), v.data(), dtype, row_bytes, h * head_dim, begin,
                                     keys, head_dim, scale, bias, work.data(), expected.data());
            ExpectClose(out, expected, 0, 2e-5,
                        std::string(IsaName(GetParam())) + " " + std::string(DTypeName(dtype)) +
                            " head_dim=" + std::to_string(head_dim) + " keys=" + std::to_string(keys) +
                            " head=" + std::to_string(h) + (bias.slopes ? " alibi" : ""));
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, AttentionKvKernels, ::testing::ValuesIn(kernels::AvailableIsas()),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

// Causal GQA attention (with p.slopes' distance bias) in float64 over f32 rows [kv_len, kv_dim].
std::vector<float> Float64Attention(const std::vector<float>& q, int64_t tokens, int64_t pos0,
                                    const std::vector<float>& k, const std::vector<float>& v, int64_t kv_dim,
                                    const AttentionParams& p) {
  const int64_t group = p.num_heads / p.num_kv_heads;
  std::vector<float> out(tokens * p.num_heads * p.head_dim);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t h = 0; h < p.num_heads; ++h) {
      const int64_t g = h / group, n = pos0 + t + 1;
      std::vector<double> s(n);
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < p.head_dim; ++d)
          dot += double(q[(t * p.num_heads + h) * p.head_dim + d]) * k[j * kv_dim + g * p.head_dim + d];
        s[j] = dot * p.scale - (p.slopes ? p.slopes[h] * double(pos0 + t - j) : 0.0);  // ALiBi
        mx = std::max(mx, s[j]);
      }
      for (auto& x : s) sum += (x = std::exp(x - mx));
      for (int64_t d = 0; d < p.head_dim; ++d) {
        double acc = 0;
        for (int64_t j = 0; j < n; ++j) acc += s[j] / sum * v[j * kv_dim + g * p.head_dim + d];
        out[(t * p.num_heads + h) * p.head_dim + d] = static_cast<float>(acc);
      }
    }
  }
  return out;
}

TEST(AttentionKv, PrefillAndDecodePathsMatchFloat64OverTheDecodedRows) {
  const float slopes[6] = {0.25f, 1.0f / 16, 1.0f / 64, 1.0f / 256, 0.5f, 0.125f};  // MPT's, 6 heads
  for (DType dtype : {DType::kBF16, DType::kBFP8}) {
    for (int64_t head_dim : {8, 32}) {
      for (const float* bias : {static_cast<const float*>(nullptr), slopes}) {
        AttentionParams p{.num_heads = 6, .num_kv_heads = 2, .head_dim = head_dim,
                          .scale = 1.0f / std::sqrt(static_cast<float>(head_dim)), .slopes = bias};
        const int64_t kv_dim = p.num_kv_heads * head_dim, kv_len = 70;
        std::vector<float> kd, vd;
        auto k = Encode(RandomValues(kv_len * kv_dim, 31), kv_len, kv_dim, dtype, &kd);
        auto v = Encode(RandomValues(kv_len * kv_dim, 32), kv_len, kv_dim, dtype, &vd);
        const int64_t row_bytes = static_cast<int64_t>(StorageBytes(dtype, kv_dim));
        const KvRows kr{k.data(), dtype, row_bytes}, vr{v.data(), dtype, row_bytes};
        // 40 queries take the sgemm path, 1 and 3 the kernel path; with and without planned work.
        for (int64_t tokens : {1, 3, 40}) {
          const int64_t pos0 = kv_len - tokens;
          auto q = RandomValues(tokens * p.num_heads * head_dim, 33);
          const auto expected = Float64Attention(q, tokens, pos0, kd, vd, kv_dim, p);
          std::vector<float> work(AttentionWorkFloats(p, kv_len, dtype, 8));
          for (bool planned : {false, true}) {
            std::vector<float> out(expected.size());
            Attention(q.data(), tokens, pos0, kr, vr, kv_len, out.data(), p,
                      planned ? absl::MakeSpan(work) : absl::Span<float>());
            ExpectClose(out, expected, 0, 1e-5,
                        std::string(DTypeName(dtype)) + " head_dim=" + std::to_string(head_dim) +
                            " tokens=" + std::to_string(tokens) + (planned ? " planned" : "") +
                            (bias ? " alibi" : ""));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace ttt::ops
