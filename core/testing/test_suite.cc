#include "core/testing/test_suite.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/formats/weight_name_map.h"
#include "core/runtime/logging.h"
#include "core/runtime/status.h"
#include "core/testing/coverage.h"
#include "core/testing/internal/suite_types.h"
#include "core/testing/reference_weights.h"

namespace ttt::testing {

namespace {

std::string ModeName(RunMode m) { return m == RunMode::kDecode ? "decode" : "prefill"; }

// The module a path names in a checkpoint's own naming (see SourceModulePath).
struct NameTable {
  std::string layer_prefix;
  std::vector<std::pair<std::string, std::string>> layer_suffixes, globals;  // checkpoint -> canonical
};

NameTable TableFor(const std::string& format, const std::string& family) {
  NameTable t;
  if (format == "llama2c") {
    // llama2.c's model.py names (its .bin stores tensors in that order, without names).
    t.layer_prefix = "layers.";
    t.layer_suffixes = {{"attention.wq.weight", "attn.wq"},     {"attention.wk.weight", "attn.wk"},
                        {"attention.wv.weight", "attn.wv"},     {"attention.wo.weight", "attn.wo"},
                        {"feed_forward.w1.weight", "mlp.w_gate"}, {"feed_forward.w3.weight", "mlp.w_up"},
                        {"feed_forward.w2.weight", "mlp.w_down"}, {"attention_norm.weight", "attn_norm.weight"},
                        {"ffn_norm.weight", "mlp_norm.weight"}};
    t.globals = {{"tok_embeddings.weight", "tok_embeddings"}, {"norm.weight", "final_norm.weight"},
                 {"output.weight", "lm_head"}};
    return t;
  }
  // The loaders' own tables for the family, so reports name what the checkpoint holds (MPT's, GPT-2's, ...).
  const formats::WeightNameMap m = format == "gguf" ? formats::GgufNames(family) : formats::HfNames(family);
  t.layer_prefix = m.layer_prefix;
  // The dense feed-forward's names only: the family's table also holds a mixture of experts' (router, experts,
  // shared expert), which would widen a dense MLP's path to every ffn_* tensor. (A MoE's cases name the layer's
  // feed-forward by these dense names' common prefix too.)
  for (const auto& [name, canonical] : m.layer_suffixes) {
    if (absl::StrContains(canonical, "experts.") || absl::StrContains(canonical, "router") ||
        absl::StrContains(canonical, "shared")) {
      continue;
    }
    t.layer_suffixes.emplace_back(name, canonical);
  }
  t.globals = m.globals;
  return t;
}

// The longest common prefix of dotted names, ending on a component boundary.
std::string CommonPrefix(const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::vector<std::string> parts = absl::StrSplit(names[0], '.');
  size_t n = parts.size() - 1;  // never the last component (weight/bias)
  for (const auto& name : names) {
    std::vector<std::string> p = absl::StrSplit(name, '.');
    size_t k = 0;
    while (k < n && k + 1 < p.size() && p[k] == parts[k]) ++k;
    n = k;
  }
  return absl::StrJoin(parts.begin(), parts.begin() + n, ".");
}

}  // namespace

std::string SourceModulePath(const std::string& format, const std::string& family, const std::string& path) {
  if (path == "model") return "";
  const NameTable t = TableFor(format, family);
  // A global weight's module: its checkpoint name without the trailing ".weight".
  auto global = [&](const std::string& canonical) -> std::string {
    for (const auto& [name, canon] : t.globals) {
      if (canon == canonical) return absl::EndsWith(name, ".weight") ? name.substr(0, name.size() - 7) : name;
    }
    return "";
  };
  if (path == "embedding") return global("tok_embeddings");
  if (path == "final_norm") return global("final_norm.weight");
  if (path == "lm_head") return global("lm_head");
  // layers.<i>[.<part>]
  std::vector<std::string> parts = absl::StrSplit(path, absl::MaxSplits('.', 2));
  if (parts.size() < 2 || parts[0] != "layers") return "";
  const std::string layer = t.layer_prefix + parts[1];
  if (parts.size() == 2) return layer;
  std::vector<std::string> names;
  for (const auto& [name, canon] : t.layer_suffixes) {
    if (absl::StartsWith(canon, parts[2] + ".")) names.push_back(name);
  }
  if (names.empty()) return "";
  std::string common = CommonPrefix(names);
  if (!common.empty()) return layer + "." + common;
  // Flat names (GGUF's blk.N.attn_q, blk.N.attn_k, ...): list them.
  std::set<std::string> firsts;
  for (const auto& n : names) firsts.insert(std::string(absl::StrSplit(n, '.').begin()->data(), n.find('.')));
  return absl::StrCat(layer, ".{", absl::StrJoin(firsts, ","), "}");
}

TestSuite::TestSuite(const CausalLm& model, SuiteOptions options) : model_(model), options_(std::move(options)) {}
TestSuite::TestSuite(std::shared_ptr<const CausalLm> model, SuiteOptions options)
    : owned_(std::move(model)), model_(*owned_), options_(std::move(options)) {}

CaseBuilder& TestSuite::Add(const void* module, const char* kind) {
  CaseBuilder& c = cases_.emplace_back();
  c.module_ = module;
  c.kind_ = kind;
  return c;
}

CaseBuilder& TestSuite::Test(const TokenEmbedding& m) { return Add(&m, "token_embedding"); }
CaseBuilder& TestSuite::Test(const Norm& m) { return Add(&m, "norm"); }
CaseBuilder& TestSuite::Test(const Attention& m) { return Add(&m, "attention"); }
CaseBuilder& TestSuite::Test(const Mlp& m) { return Add(&m, "mlp"); }
CaseBuilder& TestSuite::Test(const LmHead& m) { return Add(&m, "lm_head"); }
CaseBuilder& TestSuite::Test(const LayerBlock& m) { return Add(&m, m.descriptor().kind.c_str()); }
CaseBuilder& TestSuite::Test(const DecoderLayer& m) { return Add(&m, "decoder_layer"); }
CaseBuilder& TestSuite::Test(const CausalLm& m) { return Add(&m, "causal_lm"); }

TestSuite& TestSuite::TestEveryModule(const Tolerances& tol) {
  Test(model_.token_embedding()).Tolerance(tol);
  for (int64_t i = 0; i < model_.num_layers(); ++i) {
    const DecoderLayer& l = model_.layer(i);
    Test(l.attention_norm()).Tolerance(tol);
    Test(l.attention()).Tolerance(tol);
    Test(l.attention()).Tolerance(tol).Mode(RunMode::kDecode);
    Test(l.mlp_norm()).Tolerance(tol);
    if (l.mlp() != nullptr) Test(*l.mlp()).Tolerance(tol);
    // The feed-forward when it is not a dense MLP (a mixture of experts), and the modules named by kind.
    for (size_t b = l.mlp() ? 2 : 1; b < l.branches().size(); ++b) Test(*l.branches()[b].block).Tolerance(tol);
    Test(l).Tolerance(tol);
    Test(l).Tolerance(tol).Mode(RunMode::kDecode);
  }
  Test(model_.final_norm()).Tolerance(tol);
  Test(model_.lm_head()).Tolerance(tol);
  Test(model_).Tolerance(tol);
  Test(model_).Tolerance(tol).Mode(RunMode::kDecode);
  return *this;
}

absl::StatusOr<ModuleLocation> TestSuite::Locate(const CaseBuilder& c) const {
  const void* p = c.module_;
  if (p == &model_) return ModuleLocation{"model", -1, ""};
  if (p == &model_.token_embedding()) return ModuleLocation{"embedding", -1, ""};
  if (p == &model_.final_norm()) return ModuleLocation{"final_norm", -1, ""};
  if (p == &model_.lm_head()) return ModuleLocation{"lm_head", -1, ""};
  for (int64_t i = 0; i < model_.num_layers(); ++i) {
    const DecoderLayer& l = model_.layer(i);
    const std::string base = absl::StrCat("layers.", i);
    if (p == &l) return ModuleLocation{base, i, "layer"};
    if (p == &l.attention_norm()) return ModuleLocation{base + ".attn_norm", i, "attn_norm"};
    if (p == &l.attention()) return ModuleLocation{base + ".attn", i, "attn"};
    if (p == &l.mlp_norm()) return ModuleLocation{base + ".mlp_norm", i, "mlp_norm"};
    if (p == l.mlp()) return ModuleLocation{base + ".mlp", i, "mlp"};
    for (size_t b = 1; b < l.branches().size(); ++b) {
      if (p == l.branches()[b].block.get()) {
        return ModuleLocation{base + "." + l.branches()[b].name, i, "module", static_cast<int64_t>(b)};
      }
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("TestSuite: the ", c.kind_,
                                                 " under test is not part of the suite's model '",
                                                 model_.spec().name(), "'; test modules of the model given to TestSuite"));
}

std::vector<std::string> TestSuite::CaseNames() const {
  std::vector<std::string> names;
  for (const auto& c : cases_) {
    auto loc = Locate(c);
    std::string name = absl::StrCat(loc.ok() ? loc->path : c.kind_, "/", ModeName(c.mode_));
    // Same module and mode twice: number the repeats so names stay unique.
    int repeat = 1;
    std::string unique = name;
    while (std::find(names.begin(), names.end(), unique) != names.end()) unique = absl::StrCat(name, "#", ++repeat);
    names.push_back(unique);
  }
  return names;
}

Report TestSuite::Run() const { return RunCases(ReferenceSource{}); }

absl::StatusOr<Report> TestSuite::CompareWithReference(const formats::Checkpoint& source,
                                                       std::vector<int32_t> prompt) const {
  if (source.spec->num_layers() != model_.spec().num_layers() || source.spec->hidden_dim() != model_.spec().hidden_dim() ||
      source.spec->vocab_size() != model_.spec().vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat("CompareWithReference: the source checkpoint '", source.source,
                                                   "' does not have the model's shape (layers, hidden, vocab); "
                                                   "pass the checkpoint the model was built from"));
  }
  TTT_ASSIGN_OR_RETURN(RefModel ref, RefFromWeights(source.spec, source.weights, model_.kinds()));
  if (prompt.empty()) {
    std::mt19937_64 rng(options_.seed);
    const int64_t n = std::min<int64_t>(options_.tokens, model_.spec().max_seq_len());
    for (int64_t i = 0; i < n; ++i) prompt.push_back(static_cast<int32_t>(rng() % model_.vocab_size()));
  }
  for (int32_t t : prompt) {
    if (t < 0 || t >= static_cast<int32_t>(model_.vocab_size()) ||
        prompt.size() > static_cast<size_t>(model_.spec().max_seq_len())) {
      return absl::InvalidArgumentError(absl::StrCat("CompareWithReference: prompt of ", prompt.size(),
                                                     " tokens has token ", t, " outside the vocabulary (",
                                                     model_.vocab_size(), ") or exceeds max_seq_len"));
    }
  }
  ModelActivations acts;
  ref.Logits(prompt, &acts);
  return RunCases(ReferenceSource{&ref, &acts, source.format, source.spec->family()});
}

}  // namespace ttt::testing
