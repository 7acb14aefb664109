#include "core/kernels/kernel_table.h"

#include "core/kernels/avx2/kernels_avx2.h"
#include "core/kernels/avx512/kernels_avx512.h"
#include "core/kernels/internal/f32_panels.h"
#include "core/kernels/internal/ggml_kernels.h"
#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels {
namespace {

KernelTable MakeReferenceTable() {
  namespace ref = reference;
  KernelTable t;
  t.isa = Isa::kScalar;
  t.gemv[static_cast<int>(DType::kF32)] = ref::GemvF32;
  t.dequant_row[static_cast<int>(DType::kF32)] = ref::DequantRowF32;
  t.gemv[static_cast<int>(DType::kBF16)] = ref::GemvBF16;
  t.gemv[static_cast<int>(DType::kI8)] = ref::GemvI8;
  t.gemv[static_cast<int>(DType::kBFP8)] = ref::GemvBfp8;
  t.gemv[static_cast<int>(DType::kBFP4)] = ref::GemvBfp4;
  t.dequant_row[static_cast<int>(DType::kBF16)] = ref::DequantRowBF16;
  t.dequant_row[static_cast<int>(DType::kI8)] = ref::DequantRowI8;
  t.dequant_row[static_cast<int>(DType::kBFP8)] = ref::DequantRowBfp8;
  t.dequant_row[static_cast<int>(DType::kBFP4)] = ref::DequantRowBfp4;
  t.gemv_f32_panels = ref::GemvF32Panels;
  t.pack_panels = internal::PackPanelWords;
  t.dot_f32 = ref::DotF32;
  t.rmsnorm_row = ref::RmsNormRow;
  t.layernorm_row = ref::LayerNormRow;
  t.softmax_row = ref::SoftmaxRow;
  t.silu = ref::Silu;
  t.relu = ref::Relu;
  t.gelu_erf = ref::GeluErf;
  t.gelu_tanh = ref::GeluTanh;
  t.softcap = ref::SoftCap;
  t.add = ref::Add;
  t.mul = ref::Mul;
  t.silu_mul = ref::SiluMul;
  t.gelu_erf_mul = ref::GeluErfMul;
  t.gelu_tanh_mul = ref::GeluTanhMul;
  t.rope_rotate_half = ref::RopeRotateHalf;
  t.rope_interleaved = ref::RopeInterleaved;
  t.attention_queries = ref::AttentionQueries;
  t.attention_queries_kv = ref::AttentionQueriesKv;
  t.tt_panel = ref::TtPanel;
  t.tt_row = ref::TtRow;
  ref::AddGgmlKernels(&t);
  return t;
}

KernelTable MakeAvx2Table() {
  namespace k = avx2;
  KernelTable t = MakeReferenceTable();
  t.isa = Isa::kAvx2;
  t.gemv[static_cast<int>(DType::kF32)] = k::GemvF32;
  t.gemv[static_cast<int>(DType::kBF16)] = k::GemvBF16;
  t.gemv[static_cast<int>(DType::kI8)] = k::GemvI8;
  t.gemv[static_cast<int>(DType::kBFP8)] = k::GemvBfp8;
  t.gemv[static_cast<int>(DType::kBFP4)] = k::GemvBfp4;
  t.gemv_bfp4_steps = k::GemvBfp4Steps;
  t.dequant_row_bfp4_steps = k::DequantRowBfp4Steps;
  t.dequant_row[static_cast<int>(DType::kBF16)] = k::DequantRowBF16;
  t.dequant_row[static_cast<int>(DType::kI8)] = k::DequantRowI8;
  t.dequant_row[static_cast<int>(DType::kBFP8)] = k::DequantRowBfp8;
  t.dequant_row[static_cast<int>(DType::kBFP4)] = k::DequantRowBfp4;
  t.gemv_f32_panels = k::GemvF32Panels;
  t.pack_panels = k::PackPanels;
  t.dot_f32 = k::DotF32;
  t.rmsnorm_row = k::RmsNormRow;
  t.layernorm_row = k::LayerNormRow;
  t.softmax_row = k::SoftmaxRow;
  t.silu = k::Silu;
  t.relu = k::Relu;
  t.gelu_erf = k::GeluErf;
  t.gelu_tanh = k::GeluTanh;
  t.softcap = k::SoftCap;
  t.add = k::Add;
  t.mul = k::Mul;
  t.silu_mul = k::SiluMul;
  t.gelu_erf_mul = k::GeluErfMul;
  t.gelu_tanh_mul = k::GeluTanhMul;
  t.rope_rotate_half = k::RopeRotateHalf;
  t.rope_interleaved = k::RopeInterleaved;
  t.attention_queries = k::AttentionQueries;
  t.attention_queries_kv = k::AttentionQueriesKv;
  k::AddGgmlKernels(&t);
  return t;
}

KernelTable MakeAvx512Table() {
  namespace k = avx512;
  KernelTable t = MakeAvx2Table();
  t.isa = Isa::kAvx512;
  t.gemv[static_cast<int>(DType::kF32)] = k::GemvF32;
  t.gemv[static_cast<int>(DType::kBF16)] = k::GemvBF16;
  t.gemv[static_cast<int>(DType::kI8)] = k::GemvI8;
  t.gemv[static_cast<int>(DType::kBFP8)] = k::GemvBfp8;
  t.gemv[static_cast<int>(DType::kBFP4)] = k::GemvBfp4;
  t.gemv_bfp4_steps = nullptr;  // not inherited: the VNNI kernel reads the stored layout at memory speed
  t.dequant_row_bfp4_steps = nullptr;
  t.gemm[static_cast<int>(DType::kBF16)] = k::GemmBF16;
  t.gemv_bf16_panels = k::GemvBF16Panels;
  t.dequant_row[static_cast<int>(DType::kBF16)] = k::DequantRowBF16;
  t.dequant_row[static_cast<int>(DType::kI8)] = k::DequantRowI8;
  t.dequant_row[static_cast<int>(DType::kBFP8)] = k::DequantRowBfp8;
  t.dequant_row[static_cast<int>(DType::kBFP4)] = k::DequantRowBfp4;
  t.gemv_f32_panels = k::GemvF32Panels;
  t.pack_panels = k::PackPanels;
  t.dot_f32 = k::DotF32;
  t.rmsnorm_row = k::RmsNormRow;
  t.layernorm_row = k::LayerNormRow;
  t.softmax_row = k::SoftmaxRow;
  t.silu = k::Silu;
  t.relu = k::Relu;
  t.gelu_erf = k::GeluErf;
  t.gelu_tanh = k::GeluTanh;
  t.softcap = k::SoftCap;
  t.add = k::Add;
  t.mul = k::Mul;
  t.silu_mul = k::SiluMul;
  t.gelu_erf_mul = k::GeluErfMul;
  t.gelu_tanh_mul = k::GeluTanhMul;
  t.rope_rotate_half = k::RopeRotateHalf;
  t.rope_interleaved = k::RopeInterleaved;
  t.attention_queries = k::AttentionQueries;
  t.attention_queries_kv = k::AttentionQueriesKv;
  t.tt_panel = k::TtPanel;
  t.tt_row = k::TtRow;
  k::AddGgmlKernels(&t);
  return t;
}

}  // namespace

const KernelTable& Kernels(Isa isa) {
  static const KernelTable reference = MakeReferenceTable();
  static const KernelTable avx2 = MakeAvx2Table();
  static const KernelTable avx512 = MakeAvx512Table();
  if (static_cast<int>(isa) > static_cast<int>(BestIsa())) isa = BestIsa();
  switch (isa) {
    case Isa::kAvx512: return avx512;
    case Isa::kAvx2: return avx2;
    case Isa::kScalar: break;
  }
  return reference;
}

const KernelTable& ActiveKernels() {
  static const KernelTable& active = Kernels(BestIsa());
  return active;
}

std::vector<Isa> AvailableIsas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(isa) <= static_cast<int>(BestIsa())) isas.push_back(isa);
  }
  return isas;
}

}  // namespace ttt::kernels
