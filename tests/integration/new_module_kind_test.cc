// A module kind the library has never heard of, registered inside this test binary, used by a model through
// its spec (DecoderLayerSpec.modules) and then resolved, checked against a device, run, profiled and judged by
// the TestSuite - with no engine change. This file is also the worked example of README.md ("Adding a module").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/blocks/block.h"
#include "core/blocks/module_registry.h"
#include "core/factory/synthetic.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/device_registry.h"
#include "core/patterns/causal_lm.h"
#include "core/patterns/model_builder.h"
#include "core/blocks/model_modules.h"
#include "core/profiler/record.h"
#include "core/profiler/suggestions.h"
#include "core/runtime/trace.h"
#include "core/ops/weight_quantization.h"
#include "core/specs/text_format.h"
#include "core/specs/validate.h"
#include "core/testing/test_suite.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/message_differencer.h"

namespace ttt {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

ModuleDescriptor ScaledProjectionDescriptor();

// The block: out = scale * x W^T, W [hidden, hidden], a residual branch of every layer. Its spec is a
// google.protobuf.Struct holding "scale" (a kind of one's own may equally bring a .proto message).
class ScaledProjection : public LayerBlock {
 public:
  ScaledProjection(double scale, Linear proj, std::string prefix)
      : scale_(scale), proj_(std::move(proj)), prefix_(std::move(prefix)) {}

  const ModuleDescriptor& descriptor() const override {
    static const ModuleDescriptor kDescriptor = ScaledProjectionDescriptor();  // registered or not
    return kDescriptor;
  }
  std::vector<LinearOp> linear_ops() override { return {{"proj", &proj_, prefix_ + ".proj"}}; }
  int64_t ScratchFloats(int64_t) const override { return 0; }
  void Forward(const float* x, int64_t rows, float* out, float*, const StepContext& step) const override {
    // The layer opens the profiler's module scope under this instance's name; the block traces its ops.
    TTT_TRACE_LINEAR("proj", proj_, rows) proj_.Forward(x, rows, out, step.phase);
    for (int64_t i = 0; i < rows * proj_.out_features(); ++i) out[i] = static_cast<float>(scale_ * out[i]);
  }
  double scale() const { return scale_; }
  const Linear& proj() const { return proj_; }

 private:
  double scale_;
  Linear proj_;
  std::string prefix_;
};

double Scale(const google::protobuf::Message& spec) {
  const auto& fields = static_cast<const google::protobuf::Struct&>(spec).fields();
  return fields.count("scale") ? fields.at("scale").number_value() : 1.0;
}

// Its defaults: f32 on the exact CPU path, bf16 in performance mode; BF16 / BFP8 with a fidelity on the
// Tenstorrent devices (every device and mode needs an entry).
constexpr char kDefaults[] = R"pb(
  module: "scaled_projection"
  entries { devices: "cpu" mode: ACCURACY
            config { prefill { ops { key: "proj" value { weight_dtype: F32 } } }
                     decode { ops { key: "proj" value { weight_dtype: F32 } } } } }
  entries { devices: "cpu" mode: PERFORMANCE
            config { prefill { ops { key: "proj" value { weight_dtype: BF16 } } }
                     decode { ops { key: "proj" value { weight_dtype: BF16 } } } } }
  entries { devices: [ "n150", "n300", "t3k", "tg", "p150" ] mode: ACCURACY
            config { prefill { ops { key: "proj" value { weight_dtype: BF16 math_fidelity: HIFI4 } } }
                     decode { ops { key: "proj" value { weight_dtype: BF16 math_fidelity: HIFI4 } } } } }
  entries { devices: [ "n150", "n300", "t3k", "tg", "p150" ] mode: PERFORMANCE
            config { prefill { ops { key: "proj" value { weight_dtype: BFP8 math_fidelity: HIFI2 } } }
                     decode { ops { key: "proj" value { weight_dtype: BFP8 math_fidelity: HIFI2 } } } } }
)pb";

ModuleDescriptor ScaledProjectionDescriptor() {
  ModuleDescriptor d;
  d.id = "example/scaled_projection";
  d.kind = "scaled_projection";
  d.summary = "scale * x W^T as a residual branch (a test's own module)";
  d.spec_type = google::protobuf::Struct::descriptor();
  d.footprint_group = "scaled projections";
  d.defaults_text = kDefaults;
  d.ops = {{.name = "proj", .weight = true}};
  d.shapes = [](const google::protobuf::Message&) { return std::vector<OpShape>{{64, 64}}; };  // stories260k
  d.validate = [](google::protobuf::Message& spec) {
    return Scale(spec) > 0 ? absl::OkStatus() : absl::InvalidArgumentError("scale must be positive");
  };
  d.create = [](const Validated<google::protobuf::Message>& spec, const WeightMap& weights,
                const std::string& prefix) -> absl::StatusOr<std::unique_ptr<LayerBlock>> {
    auto proj = Linear::Load(weights, prefix + ".proj", 64, 64, false);
    if (!proj.ok()) return proj.status();
    return std::make_unique<ScaledProjection>(Scale(*spec), *std::move(proj), prefix);
  };
  d.reference = [](const LayerBlock& block, const std::vector<double>& x, int64_t rows) {
    const auto& b = static_cast<const ScaledProjection&>(block);
    const Tensor w = ops::DequantizeWeight(b.proj().weight());
    const std::vector<float> wf = w.Contiguous().ToF32();
    std::vector<double> out(rows * 64, 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t o = 0; o < 64; ++o) {
        double sum = 0;
        for (int64_t i = 0; i < 64; ++i) sum += x[r * 64 + i] * double(wf[o * 64 + i]);
        out[r * 64 + o] = b.scale() * sum;
      }
    }
    return out;
  };
  return d;
}

class NewModuleKindTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(ModuleRegistry::Global().Register(ScaledProjectionDescriptor()).ok()); }
  static void TearDownTestSuite() { ASSERT_TRUE(ModuleRegistry::Global().Unregister("scaled_projection").ok()); }

  // stories260k's shape with one more residual branch per layer, written as a user would.
  static spec::ModelSpec Spec() {
    spec::ModelSpec spec = *NamedShape("stories260k");
    EXPECT_TRUE(ParseTextProto(R"pb(
                  kind: "scaled_projection"
                  name: "gate"
                  norm { kind: RMS_NORM dim: 64 }
                  spec { [type.googleapis.com/google.protobuf.Struct] { fields { key: "scale" value { number_value: 0.5 } } } }
                )pb",
                               spec.mutable_layer()->add_modules())
                    .ok());
    return spec;
  }
  static hw::DeviceProfile Device(const std::string& name) { return *GetDeviceProfile(name); }
};

TEST_F(NewModuleKindTest, IsListedAndResolvedLikeACoreModule) {
  EXPECT_THAT(ModuleRegistry::Global().ConfigurableKinds(), Contains("scaled_projection"));
  auto cpu = ResolveHwConfig(*ValidateModel(Spec()), Device("cpu"), hw::PERFORMANCE);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  const ResolvedModuleConfig& gate = cpu->module(3, "gate");
  EXPECT_EQ(gate.op(Phase::kDecode, "proj").weight_dtype(), hw::BF16);
  EXPECT_THAT(gate.source("decode.proj.weight_dtype"), HasSubstr("[cpu performance]"));

  // A model file and the --weights shortcut reach it by its name in the layer.
  auto file = ParseModelHwConfig(R"pb(overrides { layer: 1 modules { key: "gate" value {
                                        decode { ops { key: "proj" value { weight_dtype: BFP4 } } } } } })pb",
                                 "my.textproto");
  ASSERT_TRUE(file.ok()) << file.status();
  auto overridden = ResolveHwConfig(*ValidateModel(Spec()), Device("cpu"), hw::ACCURACY, &*file, "my.textproto", {.weights = hw::INT8});
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  EXPECT_EQ(overridden->module(0, "gate").op(Phase::kDecode, "proj").weight_dtype(), hw::INT8);
  EXPECT_EQ(overridden->module(1, "gate").op(Phase::kPrefill, "proj").weight_dtype(), hw::INT8);

  // Its own ops only: a typo is an error naming the module and its ops.
  auto typo = ParseModelHwConfig(R"pb(defaults { key: "gate" value { decode { ops { key: "wqkv" value {} } } } })pb",
                                 "typo.textproto");
  ASSERT_TRUE(typo.ok());
  EXPECT_THAT(ResolveHwConfig(*ValidateModel(Spec()), Device("cpu"), hw::ACCURACY, &*typo, "typo.textproto").status().message(),
              HasSubstr("module 'gate' has no op 'wqkv': its ops are proj"));
}

TEST_F(NewModuleKindTest, IsCheckedAgainstADeviceAndCountedInTheFootprint) {
  auto file = ParseModelHwConfig(R"pb(defaults { key: "gate" value { decode { ops { key: "proj" value {
                                        weight_dtype: INT8 } } } } })pb",
                                 "int8.textproto");
  ASSERT_TRUE(file.ok());
  auto problems = CheckHardwareCompatibility(*ValidateModel(Spec()), "n150", hw::ACCURACY, &*file, 1, 256, "int8.textproto");
  ASSERT_TRUE(problems.ok()) << problems.status();
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_THAT(problems->front(), HasSubstr("layers 0-4 gate op proj (decode): n150 cannot store weights as int8"));

  auto resolved = ResolveHwConfig(*ValidateModel(Spec()), Device("n150"), hw::PERFORMANCE);
  ASSERT_TRUE(resolved.ok());
  const ModelFootprint f = EstimateFootprint(*ValidateModel(Spec()), *resolved, 1, 256);
  double group = 0;
  for (const auto& [name, bytes] : f.weights_by_group) {
    if (name == "scaled projections") group = bytes;
  }
  EXPECT_DOUBLE_EQ(group, 5 * 64 * 64 * (17.0 / 16));  // 5 layers of BFP8 [64, 64]
}

TEST_F(NewModuleKindTest, RunsIsProfiledUnderItsNameAndIsJudgedByTheTestSuite) {
  const spec::ModelSpec spec = Spec();
  auto model = CausalLm::Create(spec, SyntheticWeights(*ValidateModel(spec), 7));
  ASSERT_TRUE(model.ok()) << model.status();

  // The branch changes the model's output: the same weights without it give other logits.
  spec::ModelSpec plain = spec;
  plain.mutable_layer()->clear_modules();
  auto without = CausalLm::Create(plain, SyntheticWeights(*ValidateModel(spec), 7));
  ASSERT_TRUE(without.ok());
  auto logits = [](const CausalLm& m) {
    auto state = m.NewState(1, 16);
    std::vector<float> out(m.vocab_size());
    EXPECT_TRUE(m.Prefill(**state, 0, std::vector<int32_t>{1, 2, 3, 4}, out.data(), false).ok());
    return out;
  };
  EXPECT_NE(logits(**model), logits(**without));

  // Profiled: its op appears under its name in the layer, and a suggestion for it names what resolution takes.
  std::vector<int32_t> prompt = {1, 5, 9, 13, 17, 21, 25, 29};
  auto run = profiler::RecordRun(**model, prompt, {.decode_tokens = 8});
  ASSERT_TRUE(run.ok()) << run.status();
  const profiler::ProfileSummary summary =
      profiler::Summarise(run->events, {.name = "test", .bandwidth = 1e9, .peak_flops = 1e12});
  bool found = false;
  for (const profiler::Stats& op : summary.decode.ops) found |= op.module == "gate" && op.name == "proj";
  EXPECT_TRUE(found);
  profiler::SuggestOptions options{.min_share = 0};
  options.module_kinds = ModuleKinds(*ListModelModules(*ValidateModel(spec)));
  for (const profiler::Suggestion& s : profiler::Suggest(summary, options)) {
    if (s.module != "gate" || !s.config) continue;
    auto resolved = ResolveHwConfig(*ValidateModel(spec), Device("cpu"), hw::ACCURACY, &*s.config, "suggestion");
    EXPECT_TRUE(resolved.ok()) << s.apply << ": " << resolved.status();
  }

  // Judged by the TestSuite: its own case, and inside its layer and the model.
  testing::TestSuite suite(**model);
  suite.TestEveryModule({.pcc = 0.9999});
  EXPECT_THAT(suite.CaseNames(), Contains("layers.2.gate/prefill"));
  const testing::Report report = suite.Run();
  ASSERT_FALSE(report.cases.empty());
  for (const testing::CaseResult& r : report.cases) EXPECT_TRUE(r.passed()) << r.FailureText();
}

TEST_F(NewModuleKindTest, ModelBuilderComposesTheSameModelInCpp) {
  spec::AttentionSpec attention;
  attention.set_num_heads(8);
  attention.set_num_kv_heads(4);
  attention.set_use_rope(true);
  attention.mutable_rope()->set_convention(spec::RopeSpec::INTERLEAVED);
  spec::MlpSpec mlp;
  mlp.set_intermediate_dim(172);
  mlp.set_activation(spec::SILU);
  mlp.set_gated(true);
  google::protobuf::Struct scale;
  (*scale.mutable_fields())["scale"].set_number_value(0.5);
  auto built = ModelBuilder("stories260k", "llama")
                   .Embedding(512, 64).Context(512).Layers(5)
                   .AttentionNorm(RmsNorm()).Attention(attention).MlpNorm(RmsNorm()).FeedForward(mlp)
                   .Module("scaled_projection", scale, {.name = "gate", .norm = RmsNorm()})
                   .FinalNorm(RmsNorm()).Head({.tied = true})
                   .Build();
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(**built, **ValidateModel(Spec())))
      << ToTextProto(**built);

  EXPECT_THAT(ModelBuilder("m").Embedding(512, 64).Layers(1).Head().Build().status().message(),
              HasSubstr("layers need .Attention(...) and .FeedForward(...)"));
  EXPECT_THAT(ModelBuilder("m").Embedding(512, 64).Context(64).Layers(1).AttentionNorm(RmsNorm()).Attention(attention)
                  .MlpNorm(RmsNorm()).FeedForward(mlp).Module("nonexistent", scale).FinalNorm(RmsNorm()).Head()
                  .Build().status().message(),
              HasSubstr("no module kind 'nonexistent'"));
}

TEST_F(NewModuleKindTest, BadSpecsAreRefusedWithTheFix) {
  spec::ModelSpec spec = Spec();
  spec.mutable_layer()->mutable_modules(0)->set_kind("no_such_kind");
  EXPECT_THAT(ResolveHwConfig(*ValidateModel(spec), Device("cpu"), hw::ACCURACY).status().message(),
              HasSubstr("no module kind 'no_such_kind'"));
  spec = Spec();
  spec.mutable_layer()->mutable_modules(0)->mutable_spec()->PackFrom(spec::NormSpec());
  EXPECT_THAT(ResolveHwConfig(*ValidateModel(spec), Device("cpu"), hw::ACCURACY).status().message(),
              HasSubstr("takes a google.protobuf.Struct"));
  spec = Spec();
  spec.mutable_layer()->mutable_modules(0)->set_name("mlp");
  EXPECT_THAT(ResolveHwConfig(*ValidateModel(spec), Device("cpu"), hw::ACCURACY).status().message(),
              HasSubstr("already has a module 'mlp'"));
  spec = Spec();
  google::protobuf::Struct negative;
  (*negative.mutable_fields())["scale"].set_number_value(-1);
  spec.mutable_layer()->mutable_modules(0)->mutable_spec()->PackFrom(negative);
  EXPECT_THAT(ResolveHwConfig(*ValidateModel(spec), Device("cpu"), hw::ACCURACY).status().message(),
              HasSubstr("scale must be positive"));
}

// The same block as a user's own module, never registered: its descriptor goes to ModelBuilder, which keeps
// it in the model's own table of kinds; the model is built, resolved, run and judged with that table.
TEST(OwnModuleTest, AUsersBlockWorksWithoutRegistration) {
  ASSERT_EQ(ModuleRegistry::Global().FindKind("scaled_projection"), nullptr);
  const spec::ModelSpec shape = **ValidateModel(*NamedShape("stories260k"));
  const spec::DecoderLayerSpec& l = shape.layer();
  google::protobuf::Struct scale;
  (*scale.mutable_fields())["scale"].set_number_value(0.5);
  ModelBuilder builder("own", "llama");
  builder.Embedding(shape.vocab_size(), shape.hidden_dim()).Context(shape.max_seq_len()).Layers(shape.num_layers())
      .AttentionNorm(l.attention_norm()).Attention(l.attention()).MlpNorm(l.mlp_norm()).FeedForward(l.mlp())
      .Module(ScaledProjectionDescriptor(), scale, {.name = "gate", .norm = RmsNorm()})
      .FinalNorm(shape.final_norm()).Head({.tied = true});
  auto spec = builder.Build();
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(ModuleRegistry::Global().FindKind("scaled_projection"), nullptr);  // nothing entered the global table
  EXPECT_NE(builder.kinds()->FindKind("scaled_projection"), nullptr);

  // Without the model's kinds, the spec names an unknown kind; with them, the model resolves and builds.
  EXPECT_THAT(CausalLm::Create(*spec, SyntheticWeights(*spec, 7, *builder.kinds())).status().message(),
              HasSubstr("no module kind 'scaled_projection'"));
  auto model = CausalLm::Create(*spec, SyntheticWeights(*spec, 7, *builder.kinds()),
                                {.mode = hw::PERFORMANCE, .kinds = builder.kinds()});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->hw_config().module(2, "gate").op(Phase::kDecode, "proj").weight_dtype(), hw::BF16);
  auto applied = (*model)->ApplyHwConfig(*ParseModelHwConfig(
      R"pb(defaults { key: "gate" value { decode { ops { key: "proj" value { weight_dtype: BFP8 } } } } })pb", "x"));
  EXPECT_TRUE(applied.ok()) << applied;

  testing::TestSuite suite(**model);
  suite.TestEveryModule({.pcc = 0.999});
  EXPECT_THAT(suite.CaseNames(), Contains("layers.1.gate/prefill"));
  const testing::Report report = suite.Run();
  ASSERT_FALSE(report.cases.empty());
  for (const testing::CaseResult& r : report.cases) EXPECT_TRUE(r.passed()) << r.FailureText();
}

}  // namespace
}  // namespace ttt
