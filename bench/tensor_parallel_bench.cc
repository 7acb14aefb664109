// What the collectives of tensor parallelism cost on the CPU: a decode step of the SmolLM-135M shape (random
// weights) on a multi-chip device run as one emulated chip (all threads on one copy of the model) and split
// over its chips (one rank per chip, the threads shared out, in-process transport), with the time the rank
// on the calling thread spends in collectives (all-reduce, the head's all-gather) from the profiler's trace.
//
//   build/bin/ttt_tensor_parallel_bench [device=n300] [mode=performance] [steps=32]
//
// Prints both step times (medians) and their ratio. The machine's load matters: run it on an idle machine.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/factory/synthetic.h"
#include "core/hwconfig/resolve.h"
#include "core/patterns/causal_lm.h"
#include "core/runtime/threading.h"
#include "core/runtime/trace.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

struct StepTimes {
  double step_ms = 0;        // median decode step
  double collective_ms = 0;  // median time of a step's collectives on the calling thread's rank
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

StepTimes TimeDecode(const CausalLm& model, int steps) {
  auto state = model.NewState(1, steps + 8);
  if (!state.ok()) {
    std::fprintf(stderr, "%s\n", std::string(state.status().message()).c_str());
    std::exit(1);
  }
  std::vector<float> logits(model.vocab_size());
  const int32_t slot = 0;
  int32_t token = 1;
  for (int i = 0; i < 4; ++i) (void)model.Decode(**state, {&slot, 1}, {&token, 1}, logits.data());  // warm-up
  std::vector<double> step_ms, collective_ms;
  for (int i = 0; i < steps; ++i) {
    trace::StartRecording();
    const auto start = std::chrono::steady_clock::now();
    (void)model.Decode(**state, {&slot, 1}, {&token, 1}, logits.data());
    step_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    trace::StopRecording();
    double collectives = 0;
    int caller = -1;  // the thread that recorded the step is rank 0's (the caller)
    for (const trace::Event& e : trace::Collect()) {
      if (e.level == trace::Level::kStep && caller < 0) caller = e.thread;
      if (e.thread == caller && e.level == trace::Level::kOp &&
          (std::strcmp(e.name, "all_reduce") == 0 || std::strcmp(e.name, "all_gather") == 0)) {
        collectives += (e.end_ns - e.start_ns) / 1e6;
      }
    }
    collective_ms.push_back(collectives);
    token = 1 + (token * 31) % 1000;
  }
  return {Median(step_ms), Median(collective_ms)};
}

int Main(int argc, char** argv) {
  const std::string device = argc > 1 ? argv[1] : "n300";
  auto mode = ParseConfigMode(argc > 2 ? argv[2] : "performance");
  const int steps = argc > 3 ? std::atoi(argv[3]) : 32;
  if (!mode.ok() || steps < 1) {
    std::fprintf(stderr, "usage: ttt_tensor_parallel_bench [device] [accuracy|performance] [steps]\n");
    return 2;
  }
  auto shape = NamedShape("smollm-135m");
  if (!shape.ok()) return 1;
  // SmolLM-135M's 9 query and 3 KV heads divide over no chip count: the same hidden size (576), layers,
  // feed-forward and vocabulary with 8 query heads of 72 and 2 KV heads (the query projection is the same
  // size, K and V 144 features instead of 192).
  spec::AttentionSpec& attention = *shape->mutable_layer()->mutable_attention();
  attention.set_num_heads(8);
  attention.set_num_kv_heads(2);
  attention.set_head_dim(72);
  if (attention.has_rope()) attention.mutable_rope()->set_head_dim(72);
  auto spec = ValidateModel(*shape);
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", std::string(spec.status().message()).c_str());
    return 1;
  }
  const WeightMap weights = SyntheticWeights(*spec, 1);
  std::printf("SmolLM-135M shape (8 heads of 72, 2 KV heads), %s, %s mode, %d threads, %d decode steps (medians)\n", device.c_str(),
              argc > 2 ? argv[2] : "performance", NumThreads(), steps);
  StepTimes times[2];
  for (bool one_chip : {true, false}) {
    auto model = CausalLm::Create(*spec, weights, BuildOptions{.device = device, .mode = *mode, .one_chip = one_chip});
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", std::string(model.status().message()).c_str());
      return 1;
    }
    times[one_chip ? 0 : 1] = TimeDecode(**model, steps);
  }
  std::printf("one emulated chip:          %8.2f ms per step\n", times[0].step_ms);
  std::printf("tensor-parallel (inproc):   %8.2f ms per step, of which collectives %.2f ms (%.1f%%)\n",
              times[1].step_ms, times[1].collective_ms, 100 * times[1].collective_ms / times[1].step_ms);
  std::printf("ratio tensor-parallel / one chip: %.3f\n", times[1].step_ms / times[0].step_ms);
  return 0;
}

}  // namespace
}  // namespace ttt

int main(int argc, char** argv) { return ttt::Main(argc, argv); }
