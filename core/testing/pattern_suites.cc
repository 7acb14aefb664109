#include "core/testing/pattern_suites.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/kv_cache.h"
#include "core/testing/reference_encoder.h"
#include "core/testing/reference_seq2seq.h"

namespace ttt::testing {
namespace {

std::vector<float> ToFloat(const DVector& v) { return std::vector<float>(v.begin(), v.end()); }

DVector Add(DVector a, const DVector& b) {
  for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  return a;
}

std::vector<int32_t> SeededIds(uint64_t seed, int64_t n, int64_t vocab) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> ids(n);
  for (int32_t& t : ids) t = id(rng);
  return ids;
}

// Collects one case per module: runs `actual` (timed), compares it with `expected` and judges the tolerances.
class Cases {
 public:
  Cases(std::string model, const SuiteOptions& options) : options_(options) {
    report_.model = std::move(model);
    report_.reference = "own-weights";
  }
  void Add(const std::string& name, const std::string& kind, const std::string& dtype, int64_t tokens, int64_t cols,
           const DVector& expected, const std::function<std::vector<float>()>& actual, bool composite = false,
           bool logits = false) {
    CaseResult r;
    r.name = r.module_path = name;
    r.kind = kind;
    r.mode = "prefill";
    r.dtype = dtype;
    r.device = options_.device;
    r.reference = report_.reference;
    r.composite = composite;
    r.tokens = tokens;
    std::vector<float> out;
    double best = 0;
    for (int run = 0; run < std::max(1, options_.timed_runs); ++run) {
      const auto start = std::chrono::steady_clock::now();
      out = actual();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      best = run == 0 ? ms : std::min(best, ms);
    }
    r.latency_ms = best;
    if (out.size() != expected.size()) {
      r.failures.push_back(absl::StrCat(name, ": ", out.size(), " values, the reference has ", expected.size()));
    } else {
      r.metrics = Compare(out, expected, cols, logits);
      JudgeAgainstTolerances(r);
    }
    report_.cases.push_back(std::move(r));
  }
  Report Take() { return std::move(report_); }

 private:
  const SuiteOptions& options_;
  Report report_;
};

std::string DtypeOf(const Linear& l) { return std::string(DTypeName(l.weight_dtype())); }

}  // namespace

std::vector<std::string> EncoderCaseNames(const Encoder& encoder) {
  std::vector<std::string> names = {"embeddings"};
  for (int64_t i = 0; i < encoder.num_layers(); ++i) {
    for (const char* part : {"attn", "attention_norm", "mlp", "mlp_norm"}) names.push_back(absl::StrCat("layers.", i, ".", part));
  }
  names.push_back("encoder");
  return names;
}

Report TestEncoderModules(const Encoder& encoder, const SuiteOptions& options) {
  const RefEncoder ref = RefFromModule(encoder);
  const int64_t n = std::min<int64_t>(options.tokens, encoder.max_positions()), hidden = encoder.hidden_dim();
  const std::vector<int32_t> ids = SeededIds(options.seed, n, encoder.vocab_size());
  Cases cases(encoder.spec().name(), options);
  // The reference's embedding sum (token type 0), as RefEncoder::Forward starts.
  DVector sum(n * hidden);
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t c = 0; c < hidden; ++c) {
      sum[t * hidden + c] = ref.tok_embeddings.row(ids[t])[c] + ref.pos_embeddings.row(t)[c] + ref.type_embeddings.row(0)[c];
    }
  }
  DVector x = ref.embedding_norm.Forward(sum, n);
  cases.Add("embeddings", "token_embedding", std::string(DTypeName(encoder.token_embedding().table().dtype())), n,
            hidden, x, [&] {
              std::vector<float> out(n * hidden);
              encoder.Embed(ids, {}, out.data());
              return out;
            });
  for (int64_t i = 0; i < encoder.num_layers(); ++i) {
    const Encoder::Layer& layer = encoder.layer(i);
    const RefEncoderLayer& r = ref.layers[i];
    const std::string p = absl::StrCat("layers.", i, ".");
    const DVector attn = r.attn.Forward(x, n);
    cases.Add(p + "attn", "attention", DtypeOf(layer.attention->qkv_projection()), n, hidden, attn, [&] {
      const std::vector<float> in = ToFloat(x);
      std::vector<float> out(n * hidden), scratch(layer.attention->ScratchFloats(n));
      KvCache workspace(1, 1, n, layer.attention->kv_dim(), DType::kF32);
      workspace.PlanAttentionWork(layer.attention->AttentionWorkFloats(n, DType::kF32));
      layer.attention->Prefill(in.data(), n, 0, workspace, 0, 0, out.data(), scratch.data());
      return out;
    });
    const DVector attn_sum = Add(x, attn), normed = r.attn_norm.Forward(attn_sum, n);
    cases.Add(p + "attention_norm", "norm", "f32", n, hidden, normed, [&] {
      const std::vector<float> in = ToFloat(attn_sum);
      std::vector<float> out(n * hidden);
      layer.attention_norm.Forward(in.data(), n, out.data());
      return out;
    });
    const DVector mlp = r.mlp.Forward(normed, n);
    cases.Add(p + "mlp", "mlp", DtypeOf(layer.mlp.down_projection()), n, hidden, mlp, [&] {
      const std::vector<float> in = ToFloat(normed);
      std::vector<float> out(n * hidden), scratch(layer.mlp.ScratchFloats(n));
      layer.mlp.Forward(in.data(), n, out.data(), scratch.data(), Phase::kPrefill);
      return out;
    });
    const DVector mlp_sum = Add(normed, mlp);
    x = r.mlp_norm.Forward(mlp_sum, n);
    cases.Add(p + "mlp_norm", "norm", "f32", n, hidden, x, [&] {
      const std::vector<float> in = ToFloat(mlp_sum);
      std::vector<float> out(n * hidden);
      layer.mlp_norm.Forward(in.data(), n, out.data());
      return out;
    });
  }
  cases.Add("encoder", "encoder", encoder.num_layers() > 0 ? DtypeOf(encoder.layer(0).mlp.down_projection()) : "f32", n,
            hidden, ref.Forward(ids), [&] { return encoder.Forward(ids).value_or(std::vector<float>{}); },
            /*composite=*/true);
  return cases.Take();
}

std::vector<std::string> Seq2SeqCaseNames(const Seq2SeqLm& model) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < static_cast<int64_t>(model.spec().encoder_layers()); ++i) {
    for (const char* part : {"attention_norm", "attn", "mlp_norm", "mlp"}) {
      names.push_back(absl::StrCat("encoder.layers.", i, ".", part));
    }
  }
  names.push_back("encoder.final_norm");
  for (int64_t i = 0; i < static_cast<int64_t>(model.spec().decoder_layers()); ++i) {
    for (const char* part : {"self_attn_norm", "self_attn", "cross_attn_norm", "cross_attn", "mlp_norm", "mlp"}) {
      names.push_back(absl::StrCat("decoder.layers.", i, ".", part));
    }
  }
  for (const char* name : {"decoder.final_norm", "lm_head", "seq2seq"}) names.push_back(name);
  return names;
}

Report TestSeq2SeqModules(const Seq2SeqLm& model, const SuiteOptions& options) {
  const RefSeq2Seq ref = RefFromModule(model);
  const int64_t n = options.tokens, hidden = model.hidden_dim(), vocab = model.vocab_size();
  const std::vector<int32_t> source = SeededIds(options.seed, n, vocab);
  std::vector<int32_t> target = SeededIds(options.seed + 1, n, vocab);
  target[0] = model.decoder_start_token_id();
  Cases cases(model.spec().name(), options);
  auto embed = [&](const std::vector<int32_t>& ids) {
    DVector x(ids.size() * hidden);
    for (size_t t = 0; t < ids.size(); ++t) std::copy_n(ref.embeddings.row(ids[t]), hidden, x.begin() + t * hidden);
    return x;
  };
  // One case of a norm and one of an attention or MLP; each returns the reference's output.
  auto norm_case = [&](const std::string& name, const RefNorm& r, const Norm& norm, const DVector& in) {
    DVector out = r.Forward(in, n);
    cases.Add(name, "norm", "f32", n, hidden, out, [&] {
      const std::vector<float> x = ToFloat(in);
      std::vector<float> y(n * hidden);
      norm.Forward(x.data(), n, y.data());
      return y;
    });
    return out;
  };
  auto mlp_case = [&](const std::string& name, const RefMlp& r, const Mlp& mlp, const DVector& in) {
    DVector out = r.Forward(in, n);
    cases.Add(name, "mlp", DtypeOf(mlp.down_projection()), n, hidden, out, [&] {
      const std::vector<float> x = ToFloat(in);
      std::vector<float> y(n * hidden), scratch(mlp.ScratchFloats(n));
      mlp.Forward(x.data(), n, y.data(), scratch.data(), Phase::kPrefill);
      return y;
    });
    return out;
  };
  // Queries `in` over keys and values of `memory` (`in` itself for self-attention), with a bias table or none.
  auto attention_case = [&](const std::string& name, const RefSeq2SeqAttention& r, const Seq2SeqAttention& attention,
                            const DVector& in, const DVector& memory, const DVector& ref_bias,
                            const std::vector<float>& bias, bool causal) {
    const int64_t rows = static_cast<int64_t>(memory.size()) / hidden;
    DVector out = r.Forward(in, n, memory, rows, ref_bias, causal);
    cases.Add(name, "attention", DtypeOf(attention.wq()), n, hidden, out, [&] {
      const std::vector<float> x = ToFloat(in), m = ToFloat(memory);
      KeysValues kv;
      attention.ProjectKeysValues(m.data(), rows, kv);
      std::vector<float> y(n * hidden);
      attention.Attend(x.data(), n, 0, kv, bias.empty() ? nullptr : bias.data(), causal, y.data());
      return y;
    });
    return out;
  };
  DVector x = embed(source);
  const DVector encoder_bias = ref.Bias(ref.encoder_bias, ref.spec.encoder_bias(), n, n);
  std::vector<float> bias(model.encoder_bias().num_heads() * n * n);
  model.encoder_bias().Fill(0, n, n, bias.data());
  for (size_t i = 0; i < ref.encoder.size(); ++i) {
    const auto& r = ref.encoder[i];
    const Seq2SeqLm::EncoderLayer& l = model.encoder_layer(i);
    const std::string p = absl::StrCat("encoder.layers.", i, ".");
    const DVector normed = norm_case(p + "attention_norm", r.attn_norm, l.attention_norm, x);
    x = Add(x, attention_case(p + "attn", r.attn, l.attention, normed, normed, encoder_bias, bias, false));
    x = Add(x, mlp_case(p + "mlp", r.mlp, l.mlp, norm_case(p + "mlp_norm", r.mlp_norm, l.mlp_norm, x)));
  }
  const DVector memory = norm_case("encoder.final_norm", ref.encoder_norm, model.encoder_final_norm(), x);
  DVector y = embed(target);
  const DVector decoder_bias = ref.Bias(ref.decoder_bias, ref.spec.decoder_bias(), n, n);
  model.decoder_bias().Fill(0, n, n, bias.data());
  for (size_t i = 0; i < ref.decoder.size(); ++i) {
    const auto& r = ref.decoder[i];
    const Seq2SeqLm::DecoderLayer& l = model.decoder_layer(i);
    const std::string p = absl::StrCat("decoder.layers.", i, ".");
    const DVector normed = norm_case(p + "self_attn_norm", r.self_norm, l.self_attention_norm, y);
    y = Add(y, attention_case(p + "self_attn", r.self_attn, l.self_attention, normed, normed, decoder_bias, bias, true));
    const DVector cross_in = norm_case(p + "cross_attn_norm", r.cross_norm, l.cross_attention_norm, y);
    y = Add(y, attention_case(p + "cross_attn", r.cross_attn, l.cross_attention, cross_in, memory, {}, {}, false));
    y = Add(y, mlp_case(p + "mlp", r.mlp, l.mlp, norm_case(p + "mlp_norm", r.mlp_norm, l.mlp_norm, y)));
  }
  DVector head_in = norm_case("decoder.final_norm", ref.decoder_norm, model.decoder_final_norm(), y);
  for (double& v : head_in) v *= ref.head_scale;
  cases.Add("lm_head", "lm_head", DtypeOf(model.head()), n, vocab, ref.head.Forward(head_in, n), [&] {
    std::vector<float> in = ToFloat(head_in), logits(n * vocab);
    model.head().Forward(in.data(), n, logits.data(), Phase::kPrefill);
    return logits;
  }, /*composite=*/false, /*logits=*/true);
  cases.Add("seq2seq", "seq2seq", DtypeOf(model.head()), n, vocab, ref.Logits(source, target), [&] {
    absl::StatusOr<std::vector<float>> memory = model.Encode(source);
    if (!memory.ok()) return std::vector<float>{};
    absl::StatusOr<Seq2SeqLm::DecoderState> state = model.StartDecoding(*memory);
    if (!state.ok()) return std::vector<float>{};
    return model.Decode(*state, target).value_or(std::vector<float>{});
  }, /*composite=*/true, /*logits=*/true);
  return cases.Take();
}

}  // namespace ttt::testing
