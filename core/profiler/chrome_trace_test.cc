// A real model run under the recorder, written as Chrome trace JSON and read back: slices nest
// step > layer > module > op in time, and every decode step has one slice per op in every module of every
// layer.
#include "core/profiler/chrome_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/factory/synthetic.h"
#include "core/ops/internal/parallel.h"
#include "core/runtime/threading.h"
#include "core/profiler/record.h"
#include "core/specs/validate.h"
#include "nlohmann/json.hpp"

namespace ttt::profiler {
namespace {

struct Slice {
  std::string name, cat;
  double ts = 0, dur = 0;
  int tid = 0;
  nlohmann::json args;
  std::vector<int> children;
  int parent = -1;
};

// Rebuilds the nesting from the times alone, as a trace viewer does.
std::vector<Slice> Nest(const nlohmann::json& doc) {
  std::vector<Slice> slices;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == "M" || e.at("cat") == "worker") continue;  // thread names; workers' shares of ops
    EXPECT_EQ(e.at("ph"), "X");
    slices.push_back({e.at("name"), e.at("cat"), e.at("ts"), e.at("dur"), e.at("tid"), e.at("args"), {}, -1});
  }
  std::vector<int> order(slices.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return slices[a].ts != slices[b].ts ? slices[a].ts < slices[b].ts : slices[a].dur > slices[b].dur;
  });
  std::vector<int> stack;
  for (int i : order) {
    const double eps = 1e-3;  // ts/dur are microseconds with nanosecond resolution
    while (!stack.empty() && slices[stack.back()].ts + slices[stack.back()].dur + eps < slices[i].ts + slices[i].dur) {
      stack.pop_back();
    }
    if (!stack.empty()) {
      slices[i].parent = stack.back();
      slices[stack.back()].children.push_back(i);
    }
    stack.push_back(i);
  }
  return slices;
}

TEST(ChromeTraceTest, RealRunNestsAndHasOneSlicePerOpPerLayerInEveryDecodeStep) {
  auto spec = ValidateModel(*NamedShape("llama-gqa-tiny"));
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto model = CausalLm::Create(*spec, SyntheticWeights(*spec, 5));
  ASSERT_TRUE(model.ok()) << model.status();
  std::vector<int32_t> prompt = {1, 17, 300, 42, 7, 99, 5, 8, 250, 11, 3, 4, 60, 61, 62, 63, 64, 65, 66, 67};
  const int64_t decode_tokens = 5;
  auto run = RecordRun(**model, prompt, {.decode_tokens = decode_tokens, .prefill_chunk = 8});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->dropped, 0);

  const std::string path = ::testing::TempDir() + "/profile_trace.json";
  ASSERT_TRUE(WriteChromeTrace(path, run->events).ok());
  std::ifstream in(path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  const std::vector<Slice> slices = Nest(doc);
  const auto worker_shares = std::count_if(run->events.begin(), run->events.end(),
                                           [](const trace::Event& e) { return e.level == trace::Level::kWorker; });
  ASSERT_EQ(slices.size(), run->events.size() - worker_shares);

  const std::map<std::string, int> level = {{"step", 0}, {"layer", 1}, {"module", 2}, {"op", 3}};
  int decode_steps = 0, prefill_steps = 0;
  std::map<std::string, int> first_layer_ops;  // "module.op" -> slices, from the first decode layer seen
  for (const Slice& s : slices) {
    if (s.cat == "step") {
      EXPECT_EQ(s.parent, -1);
      (s.name == "decode" ? decode_steps : prefill_steps) += 1;
    } else {
      // Every other slice sits inside a slice of a shallower level, with the same phase.
      ASSERT_GE(s.parent, 0) << s.name;
      EXPECT_LT(level.at(slices[s.parent].cat), level.at(s.cat)) << s.name << " in " << slices[s.parent].name;
      EXPECT_EQ(slices[s.parent].args.at("phase"), s.args.at("phase"));
    }
    if (s.cat == "op") {
      EXPECT_TRUE(s.args.contains("bytes") && s.args.contains("flops")) << s.name;
      EXPECT_GT(s.args.at("bytes").get<double>(), 0) << s.name;
    }
    if (s.cat != "step" || s.name != "decode") continue;
    int layers = 0;
    for (int l : s.children) {
      if (slices[l].cat != "layer") continue;
      ++layers;
      EXPECT_EQ(slices[l].args.at("layer").get<int>(), std::stoi(slices[l].name.substr(6)));
      std::map<std::string, int> ops;
      for (int m : slices[l].children) {
        for (int o : slices[m].children) {
          EXPECT_EQ(slices[o].cat, "op");
          ops[slices[m].name + "." + slices[o].name] += 1;
        }
        if (slices[m].cat == "op") ops[slices[m].name] += 1;  // residual adds sit directly in the layer
      }
      if (first_layer_ops.empty()) first_layer_ops = ops;
      EXPECT_EQ(ops, first_layer_ops) << "layer " << slices[l].name;
    }
    EXPECT_EQ(layers, (*model)->num_layers());
  }
  EXPECT_EQ(decode_steps, decode_tokens);
  EXPECT_EQ(prefill_steps, 3);  // 20 tokens in chunks of 8
  // One slice per op per module in a layer (norm twice: before attention and before the MLP).
  const std::map<std::string, int> expected = {{"attention.wqkv", 1}, {"attention.rope", 1}, {"attention.sdpa", 1},
                                               {"attention.wo", 1},   {"mlp.ff1_3", 1},      {"mlp.activation", 1},
                                               {"mlp.ff2", 1},        {"norm.norm", 2},      {"residual_add", 2}};
  EXPECT_EQ(first_layer_ops, expected);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ttt::profiler

namespace ttt::profiler {
namespace {

// Events recorded on two threads: each keeps its own tid, and metadata names the process and both threads.
TEST(ChromeTraceTest, NamesTheProcessAndEachRecordingThread) {
  std::vector<trace::Event> events(2);
  events[0] = {.name = "step", .level = trace::Level::kStep, .thread = 0, .start_ns = 100, .end_ns = 200};
  events[1] = {.name = "step", .level = trace::Level::kStep, .thread = 1, .start_ns = 150, .end_ns = 250};
  const nlohmann::json doc = nlohmann::json::parse(ChromeTraceJson(events, "ttt serve"));
  std::map<int, std::string> thread_names;
  std::string process;
  std::set<int> slice_tids;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == "X") slice_tids.insert(e.at("tid").get<int>());
    if (e.at("name") == "process_name") process = e.at("args").at("name");
    if (e.at("name") == "thread_name") thread_names[e.at("tid")] = e.at("args").at("name");
  }
  EXPECT_EQ(process, "ttt serve");
  EXPECT_EQ(slice_tids, (std::set<int>{1, 2}));
  ASSERT_EQ(thread_names.size(), 2u);
  EXPECT_EQ(thread_names[1], "steps (thread 0)");
  EXPECT_EQ(thread_names[2], "thread 1");
}

}  // namespace
}  // namespace ttt::profiler

namespace ttt::profiler {
namespace {

// An op split over two threads: the worker's share is a slice of its own, on its own named track.
TEST(ChromeTraceTest, WorkerThreadsShareOfAnOpIsOnItsOwnTrack) {
  SetNumThreads(2);
  trace::StartRecording(1024);
  {
    TTT_TRACE_OP("split op", 1, 0, 0) ops::internal::OnThreads(2, [](int, int) {
      volatile double x = 0;
      for (int i = 0; i < 100000; ++i) x = x + i;
    });
  }
  trace::StopRecording();
  const nlohmann::json doc = nlohmann::json::parse(ChromeTraceJson(trace::Collect()));
  int op_tid = -1;
  std::set<int> worker_tids, named_tids;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("name") == "thread_name") named_tids.insert(e.at("tid").get<int>());
    if (e.at("ph") != "X") continue;
    if (e.at("cat") == "op") op_tid = e.at("tid");
    if (e.at("cat") == "worker") worker_tids.insert(e.at("tid").get<int>());
  }
  ASSERT_EQ(worker_tids.size(), 1u) << doc.dump();
  EXPECT_NE(*worker_tids.begin(), op_tid);
  EXPECT_TRUE(named_tids.count(*worker_tids.begin()));
  SetNumThreads(0);
}

}  // namespace
}  // namespace ttt::profiler
