#include "core/profiler/cost_params.h"

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::profiler {
namespace {

FamilyCosts Wormhole() {
  FamilyCosts c;
  c.family = "wormhole";
  // DRAM-sharded matmul: 239-260 GB/s of 288 GB/s on one chip, the middle taken
  // [perf notes: tech_reports/Saturating_DRAM_bandwidth/Saturating_DRAM_bandwidth.md].
  c.dram_sharded_fraction = 249.5 / 288;
  // tt-metal's own op model prices a Wormhole DRAM tensor at 258 GB/s of 288 [numerics notes §5.1,
  // ttnn/core/operation.cpp].
  c.dram_interleaved_fraction = 258.0 / 288;
  // 68 of 131 TFLOP/s (BF16 HiFi2, 4096^3) and 138 of 262 (BFP8 LoFi) out of the box on an 8x8 grid
  // [numerics notes §4.3, tech_reports/GEMM_FLOPS/GEMM_FLOPS.md]: about half of the peak.
  c.matmul_utilisation = 0.52;
  // Traced decode layer: 0.6-0.9 us between ops; RoPE ~2 us, KV-cache update ~4.5 us, SDPA decode ~9 us
  // [perf notes: models/demos/llama3_70b_galaxy/tests/decoder_perf_targets_6u.json, tech_reports/LLMs/llms.md
  // section 4.5]. Other ops: INFERRED no faster than the smallest of those kernels.
  c.op_gap_s = 0.75e-6;
  c.rope_s = 2e-6;
  c.kv_update_s = 4.5e-6;
  c.sdpa_decode_s = 9e-6;
  c.min_kernel_s = 2e-6;
  // UNCONFIRMED (no figure in the notes): firmware, dispatch and program buffers taken as 64 MiB per chip;
  // the trace region as tt-metal's LLM tests size it (trace_region_size 30000000, e.g.
  // models/tt_transformers' pixtral test).
  c.dram_reserved_bytes = 64.0 * (1 << 20);
  c.trace_region_bytes = 30e6;
  // tt-transformers' chunk for 8B-class models on N150 ("Max Prefill Chunk Sizes": Llama3.1-8B N150 4k tokens,
  // and 4k its fallback for models it has no entry for; models/tt_transformers/README.md, model_config.py).
  c.prefill_chunk_tokens = 4096;
  return c;
}

FamilyCosts Blackhole() {
  // The notes hold no Blackhole measurement of DRAM fraction, GEMM utilisation or kernel times: Wormhole's
  // are used (tt-metal states the two matrix engines identical, numerics notes §6.4); its own capacities
  // (banks, bandwidth, cores, clock) come from the device profile.
  FamilyCosts c = Wormhole();
  c.family = "blackhole";
  return c;
}

}  // namespace

absl::StatusOr<FamilyCosts> CostsForFamily(const hw::DeviceProfile& device) {
  if (device.kind() == hw::TENSTORRENT_WORMHOLE) return Wormhole();
  if (device.kind() == hw::TENSTORRENT_BLACKHOLE) return Blackhole();
  return absl::InvalidArgumentError(absl::StrCat("device ", device.name(),
                                                 " is not a Tenstorrent device: the cost model predicts n150, n300, "
                                                 "t3k, tg and p150 (ttt probe --list)"));
}

absl::StatusOr<StackCosts> CostsForStack(const std::string& name) {
  StackCosts s;
  s.name = name;
  if (name == "tt-transformers") {
    // FIT by `ttt predict --validate` on the fit rows (README): what tt-transformers adds per op over the
    // kernels' minimum, and its prefill matmuls' utilisation relative to a large GEMM's.
    s.decode_op_overhead_s = 18e-6;
    s.prefill_op_overhead_s = 24e-6;
    s.prefill_utilisation = 0.25;
    return s;
  }
  if (name == "galaxy-demo") {
    // Decode runs at the per-op targets the family's kernel times come from; the targets say nothing of
    // prefill, taken as tt-transformers'.
    TTT_ASSIGN_OR_RETURN(StackCosts prefill, CostsForStack("tt-transformers"));
    s.prefill_op_overhead_s = prefill.prefill_op_overhead_s;
    s.prefill_utilisation = prefill.prefill_utilisation;
    return s;
  }
  return absl::InvalidArgumentError(absl::StrCat("--stack ", name, ": use tt-transformers or galaxy-demo"));
}

LinkCosts CostsForLinks(const hw::DeviceProfile& device) {
  const hw::EthernetProfile& e = device.chip().ethernet();
  LinkCosts l;
  // Link rate x framing efficiency (~96%) and the 1-D fabric's hop latency (WH 711 ns, BH 515 ns)
  // [perf notes: tech_reports/CCLs/CCL_bandwidth.md], from the device profile.
  l.bytes_per_s = e.link_bytes_per_s() * (e.payload_efficiency() > 0 ? e.payload_efficiency() : 1.0);
  l.hop_s = e.hop_latency_s();
  // Links between two neighbours: n300's second link is reserved for dispatch [numerics notes §4.2], so one;
  // a 2-D mesh's interior chip spreads its 16 ports over 4 neighbours [numerics notes §4.2, "interior chips
  // use all 16 links"], INFERRED 4 each; t3k's chips are taken as n300's, one (UNCONFIRMED).
  const bool two_d = device.mesh().rows() > 1 && device.mesh().cols() > 1 && device.num_chips() > 8;
  l.links = two_d ? static_cast<int>(e.ports_per_chip() / 4) : 1;
  return l;
}

}  // namespace ttt::profiler
