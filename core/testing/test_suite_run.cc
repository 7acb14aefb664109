// Running TestSuite cases: inputs (seeded, or captured from the source checkpoint's forward pass), the
// float64 expected output, the module's actual output with its latency, metrics and verdicts.
#include <algorithm>
#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/runtime/logging.h"
#include "core/runtime/status.h"
#include "core/specs/layer_groups.h"
#include "core/testing/coverage.h"
#include "core/testing/internal/suite_types.h"
#include "core/testing/reference_weights.h"
#include "core/testing/test_suite.h"

namespace ttt::testing {
namespace {

using Clock = std::chrono::steady_clock;

double LinearBytes(const Linear& l) { return double(l.weight_bytes() + (l.bias().defined() ? l.bias().nbytes() : 0)); }
double NormBytes(const Norm& n) { return double(n.weight().nbytes() + (n.bias().defined() ? n.bias().nbytes() : 0)); }
double AttentionBytes(const Attention& a) { return LinearBytes(a.qkv_projection()) + LinearBytes(a.output_projection()); }
double BlockBytes(const LayerBlock& b) {
  double bytes = 0;
  for (const LinearOp& op : const_cast<LayerBlock&>(b).linear_ops()) bytes += LinearBytes(*op.linear);
  return bytes;
}
double LayerBytes(const DecoderLayer& l) {
  return NormBytes(l.attention_norm()) + AttentionBytes(l.attention()) + NormBytes(l.mlp_norm()) +
         BlockBytes(l.feed_forward());
}
std::string DtypeOf(const Linear& l) { return std::string(DTypeName(l.weight_dtype())); }
std::string DtypeOf(const Tensor& t) { return std::string(DTypeName(t.dtype())); }

DVector LastRow(const DVector& v, int64_t cols) { return DVector(v.end() - cols, v.end()); }
std::vector<float> ToFloat(const DVector& v) { return std::vector<float>(v.begin(), v.end()); }
// Inputs are rounded to float so the module and the reference see exactly the same values.
DVector RoundToFloat(DVector v) {
  for (double& x : v) x = static_cast<float>(x);
  return v;
}

// The fastest of `runs` timings of `run`; `setup` (untimed) runs before each.
template <typename Setup, typename RunFn>
double TimeMs(int runs, Setup&& setup, RunFn&& run) {
  double best = 1e300;
  for (int i = 0; i < std::max(1, runs); ++i) {
    setup();
    const auto t0 = Clock::now();
    run();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return best;
}

}  // namespace

absl::Status TestSuite::Evaluate(const CaseBuilder& c, const ModuleLocation& loc, const ReferenceSource& src,
                                 uint64_t seed, CaseResult& r, const google::protobuf::Message*& spec) const {
  const int64_t hidden = model_.spec().hidden_dim(), vocab = model_.vocab_size();
  const bool decode = c.mode_ == RunMode::kDecode;
  const ModelActivations* acts = src.activations;
  int64_t T = acts ? static_cast<int64_t>(acts->tokens.size()) : (c.tokens_ > 0 ? c.tokens_ : options_.tokens);
  T = std::clamp<int64_t>(T, decode ? 2 : 1, model_.spec().max_seq_len());
  r.tokens = T;
  std::mt19937_64 rng(seed);
  auto seeded = [&](int64_t n) {
    std::normal_distribution<double> normal(0.0, 1.0);
    DVector v(n);
    for (double& x : v) x = normal(rng);
    return v;
  };
  std::vector<int32_t> ids;
  if (acts) {
    ids = acts->tokens;
  } else {
    for (int64_t i = 0; i < T; ++i) ids.push_back(static_cast<int32_t>(rng() % vocab));
  }
  const RefModel* s = src.source;
  const int l = static_cast<int>(loc.layer);
  const int runs = options_.timed_runs;
  DVector expected;
  std::vector<float> actual;
  int64_t cols = hidden;
  double weight_bytes = 0, activation_bytes = 0;

  // Stateless modules: rows in, rows out; decode is the single row of one step.
  auto stateless = [&](const DVector& input, int64_t in_cols, auto&& reference, auto&& forward, int64_t out_cols) {
    DVector x = RoundToFloat(decode ? LastRow(input, in_cols) : input);
    const int64_t rows = decode ? 1 : T;
    expected = reference(x, rows);
    const std::vector<float> xf = ToFloat(x);
    actual.assign(rows * out_cols, 0.0f);
    cols = out_cols;
    r.latency_ms = TimeMs(runs, [] {}, [&] { forward(xf.data(), rows, actual.data()); });
    activation_bytes = 4.0 * rows * (in_cols + out_cols);
  };

  if (loc.path == "embedding") {
    const TokenEmbedding& m = model_.token_embedding();
    spec = &m.spec();
    r.dtype = DtypeOf(m.table());
    weight_bytes = double(m.table().nbytes());
    const std::vector<int32_t> in = decode ? std::vector<int32_t>{ids.back()} : ids;
    const DMatrix table = s ? s->tok_embeddings : ToDouble(m.RowMajorTable());
    expected = RefEmbed(table, m.spec().has_scale() ? m.spec().scale() : 1.0, in);
    actual.assign(in.size() * hidden, 0.0f);
    r.latency_ms = TimeMs(runs, [] {}, [&] { m.Forward(in.data(), static_cast<int64_t>(in.size()), actual.data()); });
    activation_bytes = 4.0 * in.size() * (hidden + 1);
  } else if (loc.path == "final_norm" || loc.part == "attn_norm" || loc.part == "mlp_norm") {
    const bool fin = loc.path == "final_norm";
    const Norm& m = fin ? model_.final_norm()
                        : (loc.part == "attn_norm" ? model_.layer(l).attention_norm() : model_.layer(l).mlp_norm());
    spec = &m.spec();
    r.dtype = DtypeOf(m.weight());
    weight_bytes = NormBytes(m);
    const RefNorm ref = !s ? RefFromModule(m)
                           : (fin ? s->final_norm
                                  : (loc.part == "attn_norm" ? s->layers[l].attn_norm : s->layers[l].mlp_norm));
    const DVector input = !acts ? seeded(T * hidden)
                                : (fin ? acts->final_norm_input
                                       : (loc.part == "attn_norm" ? acts->layers[l].input : acts->layers[l].mlp_residual));
    stateless(input, hidden, [&](const DVector& x, int64_t rows) { return ref.Forward(x, rows); },
              [&](const float* x, int64_t rows, float* y) { m.Forward(x, rows, y); }, hidden);
  } else if (loc.part == "mlp") {
    const Mlp& m = *model_.layer(l).mlp();
    spec = &m.spec();
    r.dtype = DtypeOf(m.up_projection());
    weight_bytes = BlockBytes(m);
    const RefMlp ref = s ? s->layers[l].mlp : RefFromModule(m);
    std::vector<float> scratch(m.ScratchFloats(T));
    stateless(acts ? acts->layers[l].mlp_input : seeded(T * hidden), hidden,
              [&](const DVector& x, int64_t rows) { return ref.Forward(x, rows); },
              [&](const float* x, int64_t rows, float* y) { m.Forward(x, rows, y, scratch.data()); }, hidden);
    activation_bytes += 4.0 * scratch.size();
  } else if (loc.part == "module") {
    // A module named by kind: no KV cache, so decode is the last row of the same rows.
    const DecoderLayer::Branch& b = model_.layer(l).branches()[loc.branch];
    const LayerBlock& m = *b.block;
    // The feed-forward (branch 1) has the source checkpoint's reference; other modules are judged in their layer.
    const bool feed_forward = loc.branch == 1;
    if (s != nullptr && !feed_forward) {
      return absl::UnimplementedError(absl::StrCat(loc.path, ": CompareWithReference judges layer modules named by kind "
                                                   "only within their layer (test the layer)"));
    }
    const spec::DecoderLayerSpec& layer_spec = LayerSpecOf(model_.spec(), static_cast<uint32_t>(l));
    if (feed_forward) spec = &layer_spec.moe();  // the feed-forward, when not a dense MLP
    for (const spec::ModuleSpec& ms : layer_spec.modules()) {
      if ((ms.name().empty() ? ms.kind() : ms.name()) == b.name) spec = &ms;
    }
    std::vector<LinearOp> ops = const_cast<LayerBlock&>(m).linear_ops();
    r.dtype = ops.empty() ? "f32" : DtypeOf(*ops.front().linear);
    weight_bytes = BlockBytes(m);
    std::vector<float> scratch(m.ScratchFloats(T));
    const StepContext step{.phase = decode ? Phase::kDecode : Phase::kPrefill, .layer = l};
    stateless(acts && feed_forward ? acts->layers[l].mlp_input : seeded(T * hidden), hidden,
              [&](const DVector& x, int64_t rows) {
                return s ? s->layers[l].feed_forward->forward(x, rows) : m.descriptor().reference(m, x, rows);
              },
              [&](const float* x, int64_t rows, float* y) { m.Forward(x, rows, y, scratch.data(), step); }, hidden);
    activation_bytes += 4.0 * scratch.size();
  } else if (loc.path == "lm_head") {
    const LmHead& m = model_.lm_head();
    spec = &m.spec();
    r.dtype = DtypeOf(m.projection());
    weight_bytes = LinearBytes(m.projection());
    const RefLinear ref = s ? s->lm_head : RefFromModule(m.projection());
    stateless(acts ? acts->head_input : seeded(T * hidden), hidden,
              [&](const DVector& x, int64_t rows) {
                DVector logits = ref.Forward(x, rows);
                RefSoftCapLogits(m.spec().logit_softcap(), logits);
                return logits;
              },
              [&](const float* x, int64_t rows, float* y) { m.Forward(x, rows, y); }, vocab);
  } else if (loc.part == "attn" || loc.part == "layer") {
    const bool attn = loc.part == "attn";
    const DecoderLayer& layer = model_.layer(l);
    const Attention& a = layer.attention();
    spec = attn ? static_cast<const google::protobuf::Message*>(&a.spec())
                : static_cast<const google::protobuf::Message*>(&LayerSpecOf(model_.spec(), static_cast<uint32_t>(l)));
    r.dtype = DtypeOf(a.qkv_projection());
    r.composite = !attn;
    weight_bytes = attn ? AttentionBytes(a) : LayerBytes(layer);
    const DVector x = RoundToFloat(acts ? (attn ? acts->layers[l].attn_input : acts->layers[l].input)
                                        : seeded(T * hidden));
    if (attn) {
      RefAttention ref = s ? s->layers[l].attn : RefFromModule(a);
      ref.layer = l;  // a sliding_window_pattern's global layers are known by their index
      expected = ref.Forward(x, T);
    } else {
      const RefDecoderLayer ref = s ? s->layers[l] : RefFromModule(layer);
      expected = ref.Forward(x, T);
    }
    if (decode) expected = LastRow(expected, hidden);
    const std::vector<float> xf = ToFloat(x);
    // Attention and layer alike write their own index of a cache of index+1 layers: the index also says whether
    // the layer is one of a sliding_window_pattern's global ones.
    KvCache cache(l + 1, 1, T, a.kv_dim());
    std::vector<float> scratch(attn ? a.ScratchFloats(T) : layer.ScratchFloats(T));
    std::vector<float> y(T * hidden);
    const int32_t pos = static_cast<int32_t>(T - 1), slot = 0;
    const int64_t prefix = decode ? T - 1 : 0;
    auto setup = [&] {
      y = xf;
      if (prefix == 0) return;
      if (attn) {
        std::vector<float> out(prefix * hidden);
        a.Prefill(xf.data(), prefix, 0, cache, l, 0, out.data(), scratch.data());
      } else {
        layer.Prefill(y.data(), prefix, 0, cache, 0, scratch.data());
      }
    };
    auto run = [&] {
      if (attn && !decode) a.Prefill(xf.data(), T, 0, cache, l, 0, y.data(), scratch.data());
      if (attn && decode) a.Decode(xf.data() + pos * hidden, 1, &pos, &slot, cache, l, y.data(), scratch.data());
      if (!attn && !decode) layer.Prefill(y.data(), T, 0, cache, 0, scratch.data());
      if (!attn && decode) layer.Decode(y.data() + pos * hidden, 1, &pos, &slot, cache, scratch.data());
    };
    r.latency_ms = TimeMs(runs, setup, run);
    if (decode) {
      const float* last = (!attn) ? y.data() + pos * hidden : y.data();
      actual.assign(last, last + hidden);
    } else {
      actual = y;
    }
    // The attention alone is charged one layer of the cache.
    activation_bytes = 4.0 * (2 * T * hidden + scratch.size()) + double(cache.bytes()) / (attn ? l + 1 : 1);
  } else if (loc.path == "model") {
    spec = &model_.spec();
    r.composite = true;
    r.dtype = DtypeOf(model_.lm_head().projection());
    if (model_.num_layers() > 0) r.dtype = DtypeOf(model_.layer(0).attention().qkv_projection());
    weight_bytes = double(model_.token_embedding().table().nbytes()) + NormBytes(model_.final_norm());
    if (!model_.spec().lm_head().tied()) weight_bytes += LinearBytes(model_.lm_head().projection());
    for (int64_t i = 0; i < model_.num_layers(); ++i) weight_bytes += LayerBytes(model_.layer(i));
    const RefModel own = s ? RefModel{} : RefFromModule(model_);
    expected = (s ? *s : own).Logits(ids);
    cols = vocab;
    if (decode) expected = LastRow(expected, vocab);
    TTT_ASSIGN_OR_RETURN(auto state, model_.NewState(1, T, 256));
    std::vector<float> logits(T * vocab);
    absl::Status status;
    const int32_t slot = 0;
    auto setup = [&] {
      state->Reset(0);
      if (decode) status.Update(model_.Prefill(*state, 0, absl::MakeConstSpan(ids.data(), T - 1), logits.data(), false));
    };
    auto run = [&] {
      if (decode) {
        status.Update(model_.Decode(*state, {slot}, {ids[T - 1]}, logits.data()));
      } else {
        status.Update(model_.Prefill(*state, 0, absl::MakeConstSpan(ids.data(), T), logits.data(), true));
      }
    };
    r.latency_ms = TimeMs(runs, setup, run);
    TTT_RETURN_IF_ERROR(status);
    actual.assign(logits.begin(), logits.begin() + (decode ? vocab : T * vocab));
    activation_bytes = 4.0 * T * vocab + double(state->cache().bytes());
  } else {
    return absl::InternalError(absl::StrCat("TestSuite: no runner for module ", loc.path));
  }
  if (loc.path == "lm_head") cols = vocab;
  const bool logits = loc.path == "lm_head" || loc.path == "model";
  r.metrics = Compare(actual, expected, cols, logits);
  r.memory_mb = (weight_bytes + activation_bytes) / (1024.0 * 1024.0);
  return absl::OkStatus();
}

Report TestSuite::RunCases(const ReferenceSource& src) const {
  Report report;
  report.model = model_.spec().name();
  report.reference = src.source ? "source-checkpoint" : "own-weights";
  const std::vector<std::string> names = CaseNames();
  std::vector<CoverageRecord> coverage;
  for (size_t i = 0; i < cases_.size(); ++i) {
    const CaseBuilder& c = cases_[i];
    CaseResult r;
    r.name = names[i];
    r.kind = c.kind_;
    r.mode = c.mode_ == RunMode::kDecode ? "decode" : "prefill";
    r.device = options_.device;
    r.reference = report.reference;
    r.expect = c.expect_;
    r.tolerance = c.tolerance_;
    auto loc = Locate(c);
    const google::protobuf::Message* spec = nullptr;
    absl::Status status = loc.status();
    if (loc.ok()) {
      r.module_path = loc->path;
      r.source_path = !c.source_path_.empty() ? c.source_path_
                      : src.source            ? SourceModulePath(src.format, src.family, loc->path)
                                              : "";
      status = Evaluate(c, *loc, src, options_.seed + i, r, spec);
    }
    if (!status.ok()) {
      r.failures.push_back(std::string(status.message()));
      report.cases.push_back(std::move(r));
      continue;
    }
    JudgeAgainstTolerances(r);
    if (spec != nullptr) {
      coverage.push_back(CoverageRecord{r.kind, r.mode, r.device, r.dtype, report.model,
                                        SpecValues(*spec, r.kind == "attention")});
    }
    report.cases.push_back(std::move(r));
  }
  if (const std::string dir = CoverageDir(options_.coverage_dir); !dir.empty()) {
    if (absl::Status st = AppendCoverage(coverage, dir); !st.ok()) {
      spdlog::warn("TestSuite: coverage not recorded: {}", std::string(st.message()));
    }
  }
  return report;
}

}  // namespace ttt::testing
