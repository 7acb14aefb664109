// The recorder (core/runtime/trace.h) and the summary built from its events.
#include "core/profiler/profile.h"
#include "core/profiler/report.h"

#include <gtest/gtest.h>

#include "core/runtime/dtype.h"
#include "core/runtime/trace.h"

namespace ttt::profiler {
namespace {

int g_evaluated = 0;
double Counted(double v) {
  ++g_evaluated;
  return v;
}

TEST(ProfileSummaryTest, NothingIsRecordedOrEvaluatedWhenOff) {
  trace::StartRecording(64);
  trace::StopRecording();
  g_evaluated = 0;
  {
    TTT_TRACE_STEP(Phase::kDecode, 1);
    TTT_TRACE_LAYER(0);
    TTT_TRACE_OP("wqkv", 1, Counted(1), Counted(2)) g_evaluated += 0;
  }
  EXPECT_EQ(g_evaluated, 0);
  EXPECT_TRUE(trace::Collect().empty());
}

TEST(ProfileSummaryTest, ScopesNestAndInheritLayerAndPhase) {
  trace::StartRecording(64);
  int body_runs = 0;
  {
    TTT_TRACE_STEP(Phase::kDecode, 1);
    TTT_TRACE_LAYER(3);
    TTT_TRACE_MODULE("mlp");
    TTT_TRACE_OP("ff2", 1, Counted(100), Counted(50)) ++body_runs;
    TTT_TRACE_OP("activation", 1, 8, 4) ++body_runs;
  }
  trace::StopRecording();
  EXPECT_EQ(body_runs, 2);  // the statement after an op scope runs exactly once
  const auto events = trace::Collect();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].level, trace::Level::kStep);
  EXPECT_EQ(events[1].level, trace::Level::kLayer);
  EXPECT_EQ(events[2].level, trace::Level::kModule);
  EXPECT_STREQ(events[3].name, "ff2");
  EXPECT_EQ(events[3].parent, 2);
  EXPECT_EQ(events[4].parent, 2);
  EXPECT_EQ(events[2].parent, 1);
  EXPECT_EQ(events[1].parent, 0);
  for (const auto& e : events) {
    EXPECT_EQ(e.phase, Phase::kDecode);
    if (e.level != trace::Level::kStep) EXPECT_EQ(e.layer, 3);
    EXPECT_GE(e.end_ns, e.start_ns);
  }
  EXPECT_EQ(events[3].bytes, 100);
  EXPECT_EQ(events[3].flops, 50);
  // Children end before their parents and start after them.
  EXPECT_LE(events[4].end_ns, events[2].end_ns);
  EXPECT_GE(events[3].start_ns, events[2].start_ns);
}

TEST(ProfileSummaryTest, FullBufferDropsInsteadOfGrowing) {
  trace::StartRecording(3);
  for (int i = 0; i < 5; ++i) {
    TTT_TRACE_OP("norm", 1, 1, 1) {}
  }
  trace::StopRecording();
  EXPECT_EQ(trace::Collect().size(), 3u);
  EXPECT_EQ(trace::Dropped(), 2);
}

// Events written by hand, with known times.
trace::Event Ev(trace::Level level, const char* name, Phase phase, int layer, int parent, int64_t start_us,
                int64_t end_us, double bytes = 0, double flops = 0, double wbytes = 0, int dtype = -1, int64_t rows = 1) {
  trace::Event e;
  e.level = level;
  e.name = name;
  e.phase = phase;
  e.layer = layer;
  e.parent = parent;
  e.start_ns = start_us * 1000;
  e.end_ns = end_us * 1000;
  e.bytes = bytes;
  e.flops = flops;
  e.weight_bytes = wbytes;
  e.weight_dtype = static_cast<int8_t>(dtype);
  e.rows = rows;
  return e;
}

TEST(ProfileSummaryTest, SumsPerOpModuleLayerAndPhase) {
  using L = trace::Level;
  const auto D = Phase::kDecode, P = Phase::kPrefill;
  const int f32 = static_cast<int>(DType::kF32);
  std::vector<trace::Event> ev;
  // One decode step, two layers, each an mlp with ff2 (40 us, 4 MB, 2 MFLOP).
  ev.push_back(Ev(L::kStep, "decode", D, -1, -1, 1000, 1200));
  for (int l = 0; l < 2; ++l) {
    const int layer_index = static_cast<int>(ev.size());
    ev.push_back(Ev(L::kLayer, "layer", D, l, 0, 1000 + 100 * l, 1090 + 100 * l));
    ev.push_back(Ev(L::kModule, "mlp", D, l, layer_index, 1000 + 100 * l, 1080 + 100 * l));
    ev.push_back(Ev(L::kOp, "ff2", D, l, layer_index + 1, 1000 + 100 * l, 1040 + 100 * l, 4e6, 2e6, 4e6, f32));
  }
  // One prefill chunk of 16 tokens with one op.
  ev.push_back(Ev(L::kStep, "prefill", P, -1, -1, 0, 500, 0, 0, 0, -1, 16));
  ev.push_back(Ev(L::kOp, "lm_head", P, -1, static_cast<int>(ev.size()) - 1, 0, 250, 1e6, 1e9, 1e6, f32, 16));
  const MachineLimits m{.name = "t", .bandwidth = 100e9, .peak_flops = 1e12};  // ridge 10
  const ProfileSummary s = Summarise(ev, m);
  EXPECT_EQ(s.decode.steps, 1);
  EXPECT_NEAR(s.decode.seconds, 200e-6, 1e-12);
  ASSERT_EQ(s.decode.ops.size(), 1u);
  const Stats& ff2 = s.decode.ops[0];
  EXPECT_EQ(ff2.module, "mlp");
  EXPECT_EQ(ff2.count, 2);
  EXPECT_NEAR(ff2.seconds, 80e-6, 1e-12);
  EXPECT_EQ(ff2.bytes, 8e6);
  EXPECT_NEAR(ff2.bandwidth(), 8e6 / 80e-6, 1);
  EXPECT_NEAR(ff2.weight_values, 2e6, 1e-6);  // 2 MFLOP on one row each = 1e6 values, twice
  const Roofline r = PlaceOnRoofline(ff2, m);
  EXPECT_TRUE(r.memory_bound);  // 0.5 FLOP/byte
  EXPECT_NEAR(r.seconds, 8e6 / 100e9, 1e-12);
  ASSERT_EQ(s.decode.modules.size(), 1u);
  EXPECT_NEAR(s.decode.modules[0].seconds, 160e-6, 1e-12);
  EXPECT_EQ(s.decode.modules[0].bytes, 8e6);
  ASSERT_EQ(s.decode.layers.size(), 2u);
  EXPECT_NEAR(s.decode.layers[1].seconds, 90e-6, 1e-12);
  EXPECT_EQ(s.decode.layers[1].bytes, 4e6);
  EXPECT_EQ(s.decode.layer_ops.size(), 2u);
  EXPECT_NEAR(s.decode.op_seconds(), 80e-6, 1e-12);

  EXPECT_EQ(s.prefill.steps, 1);
  EXPECT_EQ(s.prefill.tokens, 16);
  ASSERT_EQ(s.prefill.ops.size(), 1u);
  EXPECT_EQ(s.prefill.ops[0].module, "");
  EXPECT_FALSE(PlaceOnRoofline(s.prefill.ops[0], m).memory_bound);  // 1000 FLOP/byte
  EXPECT_NEAR(PlaceOnRoofline(s.prefill.ops[0], m).fraction, (1e9 / 1e12) / 250e-6, 1e-9);
}

// A format whose prompts run a GEMM of their own (bf16 on vdpbf16ps) is judged against that GEMM's peak, the
// others against the f32 peak: the same op is compute-bound at 100% of one and 50% of the other.
TEST(ProfileSummaryTest, FormatsWithTheirOwnGemmUseTheirPeak) {
  MachineLimits m{.name = "t", .bandwidth = 100e9, .peak_flops = 1e12};
  m.weight_peak_flops[static_cast<int>(DType::kBF16)] = 2e12;
  Stats op{.name = "ff1_3", .seconds = 1e-3, .bytes = 1e6, .flops = 2e9};
  op.weight_dtype = static_cast<int>(DType::kBF16);
  EXPECT_EQ(m.PeakFlops(op.weight_dtype), 2e12);
  EXPECT_EQ(m.ridge(op.weight_dtype), 20);
  const Roofline bf16 = PlaceOnRoofline(op, m);
  EXPECT_FALSE(bf16.memory_bound);
  EXPECT_NEAR(bf16.fraction, 1.0, 1e-9);
  op.weight_dtype = static_cast<int>(DType::kBFP4);
  EXPECT_EQ(m.PeakFlops(op.weight_dtype), 1e12);
  EXPECT_NEAR(PlaceOnRoofline(op, m).fraction, 2.0, 1e-9);  // above the f32 peak: the bound says so
}

TEST(ProfileSummaryTest, BytesPerValue) {
  EXPECT_EQ(BytesPerValue(static_cast<int>(DType::kF32)), 4);
  EXPECT_EQ(BytesPerValue(static_cast<int>(DType::kBF16)), 2);
  EXPECT_EQ(BytesPerValue(static_cast<int>(DType::kI8)), 1);
  // One shared exponent byte per 16 values (core/runtime/dtype.h Bfp8Block/Bfp4Block).
  EXPECT_EQ(BytesPerValue(static_cast<int>(DType::kBFP8)), sizeof(Bfp8Block) / 16.0);
  EXPECT_EQ(BytesPerValue(static_cast<int>(DType::kBFP4)), sizeof(Bfp4Block) / 16.0);
}

}  // namespace
}  // namespace ttt::profiler



namespace ttt::profiler {
namespace {

TEST(ProfileSummaryTest, ReportHasPhasesTablesAndSuggestions) {
  using L = trace::Level;
  const auto D = Phase::kDecode;
  const int f32 = static_cast<int>(DType::kF32);
  std::vector<trace::Event> ev;
  ev.push_back(Ev(L::kStep, "decode", D, -1, -1, 0, 100));
  ev.push_back(Ev(L::kLayer, "layer", D, 0, 0, 0, 95));
  ev.push_back(Ev(L::kModule, "mlp", D, 0, 1, 0, 90));
  ev.push_back(Ev(L::kOp, "ff2", D, 0, 2, 0, 90, 4e6, 2e6, 4e6, f32));
  const ProfileSummary s = Summarise(ev, {.name = "t", .bandwidth = 100e9, .peak_flops = 1e12});
  const std::string text = FormatReport(s, Suggest(s));
  EXPECT_NE(text.find("== decode: 1 step(s)"), std::string::npos) << text;
  EXPECT_EQ(text.find("== prefill"), std::string::npos) << text;
  EXPECT_NE(text.find("| mlp.ff2 | f32 | 90.0 | 90.0% |"), std::string::npos) << text;
  EXPECT_NE(text.find("set ff2 weight dtype to BFP8"), std::string::npos) << text;
}

}  // namespace
}  // namespace ttt::profiler
