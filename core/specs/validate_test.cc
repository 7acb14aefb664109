#include "core/specs/validate.h"

#include <optional>

#include "core/specs/text_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;

spec::ModelSpec LlamaLike() {
  spec::ModelSpec m;
  EXPECT_TRUE(ParseTextProto(R"pb(
    name: "tiny" family: "llama" vocab_size: 512 hidden_dim: 128 num_layers: 3 max_seq_len: 256
    layer {
      attention_norm { kind: RMS_NORM }
      attention { num_heads: 4 num_kv_heads: 2 use_rope: true rope { convention: ROTATE_HALF } }
      mlp_norm { kind: RMS_NORM }
      mlp { intermediate_dim: 352 activation: SILU gated: true }
    }
    final_norm { kind: RMS_NORM }
    special_tokens { bos_id: 1 eos_ids: 2 add_bos: true }
  )pb", &m).ok());
  return m;
}

TEST(ValidateModelTest, FillsDerivedValues) {
  auto m = ValidateModel(LlamaLike());
  ASSERT_TRUE(m.ok()) << m.status();
  const spec::AttentionSpec& a = (*m)->layer().attention();
  EXPECT_EQ(a.head_dim(), 32u);
  EXPECT_EQ(a.hidden_dim(), 128u);
  EXPECT_EQ(a.max_seq_len(), 256u);
  EXPECT_TRUE(a.causal());
  EXPECT_FLOAT_EQ(a.softmax_scale(), 1.0f / std::sqrt(32.0f));
  EXPECT_EQ(a.rope().head_dim(), 32u);
  EXPECT_EQ(a.rope().rotary_dim(), 32u);
  EXPECT_DOUBLE_EQ(a.rope().theta(), 10000.0);
  EXPECT_EQ((*m)->layer().mlp().hidden_dim(), 128u);
  EXPECT_EQ((*m)->layer().attention_norm().dim(), 128u);
  EXPECT_FLOAT_EQ(m->final_norm()->eps(), 1e-5f);
  EXPECT_EQ(m->lm_head()->vocab_size(), 512u);
  EXPECT_EQ(m->token_embedding()->hidden_dim(), 128u);
  // The derived sizes every consumer reads from the validated spec instead of recomputing them.
  EXPECT_EQ(m->attention().head_dim(), 32);
  EXPECT_EQ(m->attention().q_dim(), 128);
  EXPECT_EQ(m->attention().kv_dim(), (*m)->layer().attention().num_kv_heads() * 32);
  EXPECT_EQ(m->attention().group_size(), (*m)->layer().attention().num_heads() / (*m)->layer().attention().num_kv_heads());
  EXPECT_FALSE(m->position_embedding().has_value());
}

// A heterogeneous stack: layers 1 and 2 (every other from 1, and listed) without RoPE and with a wider MLP.
TEST(ValidateModelTest, LayerGroupsGiveEachLayerItsSpecValidated) {
  spec::ModelSpec s = LlamaLike();
  s.set_num_layers(4);
  spec::LayerGroup* g = s.add_layer_groups();
  g->set_every(2);
  g->set_first(1);
  g->add_layers(2);
  *g->mutable_layer() = s.layer();
  g->mutable_layer()->mutable_attention()->set_use_rope(false);
  g->mutable_layer()->mutable_attention()->clear_rope();
  g->mutable_layer()->mutable_mlp()->set_intermediate_dim(512);
  auto m = ValidateModel(s);
  ASSERT_TRUE(m.ok()) << m.status();
  for (uint32_t l = 0; l < 4; ++l) {
    const bool grouped = l != 0;
    const Validated<spec::DecoderLayerSpec> layer = m->layer(l);
    EXPECT_EQ(layer->attention().use_rope(), !grouped) << "layer " << l;
    EXPECT_EQ(layer.mlp()->intermediate_dim(), grouped ? 512u : 352u) << "layer " << l;
    // The group's layer got the model's sizes as ModelSpec.layer does.
    EXPECT_EQ(layer.attention()->hidden_dim(), 128u);
    EXPECT_EQ(layer.attention().head_dim(), 32);
    EXPECT_EQ(layer.mlp()->hidden_dim(), 128u);
    EXPECT_EQ(layer->attention_norm().dim(), 128u);
  }
  EXPECT_EQ(m->attention()->use_rope(), true);  // ModelSpec.layer's
}

TEST(ValidateModelTest, AValidatedPartSharesTheWholeAndOutlivesIt) {
  std::optional<Validated<spec::AttentionSpec>> attention;
  {
    auto m = ValidateModel(LlamaLike());
    ASSERT_TRUE(m.ok());
    attention = m->attention();
    EXPECT_EQ(&**attention, &(*m)->layer().attention());  // a view, not a copy
    const Validated<google::protobuf::Message> erased = *attention;
    EXPECT_TRUE(erased.As<spec::AttentionSpec>().has_value());
    EXPECT_FALSE(erased.As<spec::MlpSpec>().has_value());
  }
  EXPECT_EQ((*attention)->head_dim(), 32u);  // the model spec is gone; the part keeps it alive
}

// An ALiBi model (MPT's shape): no RoPE, no learned positions, a position bias in every layer's attention.
void MakeAlibi(spec::ModelSpec* m) {
  spec::AttentionSpec* a = m->mutable_layer()->mutable_attention();
  a->set_use_rope(false);
  a->clear_rope();
  a->mutable_position_bias()->set_kind("alibi");
  a->mutable_position_bias()->set_max_bias(8);
}

TEST(ValidateModelTest, AnAttentionPositionBiasIsAPositionScheme) {
  spec::ModelSpec m = LlamaLike();
  MakeAlibi(&m);
  auto v = ValidateModel(m);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)->layer().attention().position_bias().kind(), "alibi");
  EXPECT_FLOAT_EQ((*v)->layer().attention().position_bias().max_bias(), 8.0f);
}

TEST(ValidateModelTest, TextFormatRoundTrips) {
  auto m = ValidateModel(LlamaLike());
  ASSERT_TRUE(m.ok());
  spec::ModelSpec back;
  ASSERT_TRUE(ParseTextProto(ToTextProto(**m), &back).ok());
  EXPECT_EQ(back.SerializeAsString(), (*m)->SerializeAsString());
}

struct BadCase {
  const char* name;
  std::function<void(spec::ModelSpec*)> mutate;
  const char* expected;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class ValidateErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ValidateErrorTest, NamesTheFieldAndTheFix) {
  spec::ModelSpec m = LlamaLike();
  GetParam().mutate(&m);
  auto r = ValidateModel(m);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    AllErrors, ValidateErrorTest,
    ::testing::Values(
        BadCase{"HeadsNotMultipleOfKv", [](auto* m) { m->mutable_layer()->mutable_attention()->set_num_kv_heads(3); },
                "num_heads (4) is not a multiple of num_kv_heads (3): set num_kv_heads to one of 1, 2, 4"},
        BadCase{"HiddenNotDivisible", [](auto* m) { m->mutable_layer()->mutable_attention()->set_num_heads(3);
                                                    m->mutable_layer()->mutable_attention()->set_num_kv_heads(3); },
                "hidden_dim (128) is not divisible by num_heads (3)"},
        BadCase{"LongRopeFactorsPerPair", [](auto* m) {
                  auto* sc = m->mutable_layer()->mutable_attention()->mutable_rope()->mutable_scaling();
                  sc->set_type(spec::RopeScaling::LONGROPE);
                  sc->set_factor(1);
                  sc->set_original_max_position_embeddings(4096);
                  sc->add_short_factor(1.0);
                  sc->add_long_factor(1.0);
                },
                "RopeSpec.scaling.short_factor has 1 values: give one per rotated pair: rotary_dim / 2 = "},
        BadCase{"ZeroVocab", [](auto* m) { m->set_vocab_size(0); }, "ModelSpec.vocab_size is 0"},
        BadCase{"ZeroLayers", [](auto* m) { m->set_num_layers(0); }, "ModelSpec.num_layers is 0"},
        BadCase{"ZeroHeads", [](auto* m) { m->mutable_layer()->mutable_attention()->set_num_heads(0); },
                "AttentionSpec.num_heads is 0"},
        BadCase{"ZeroFfn", [](auto* m) { m->mutable_layer()->mutable_mlp()->set_intermediate_dim(0); },
                "MlpSpec.intermediate_dim is 0"},
        BadCase{"UnknownActivation", [](auto* m) { m->mutable_layer()->mutable_mlp()->set_activation(spec::ACTIVATION_UNSPECIFIED); },
                "MlpSpec.activation is unset or unknown: use SILU, GELU, GELU_TANH or RELU"},
        BadCase{"GatedRelu", [](auto* m) { m->mutable_layer()->mutable_mlp()->set_activation(spec::RELU); },
                "is RELU on a gated MLP"},
        BadCase{"NormKindUnset", [](auto* m) { m->mutable_final_norm()->set_kind(spec::NormSpec::KIND_UNSPECIFIED); },
                "NormSpec.kind is unset"},
        BadCase{"NegativeEps", [](auto* m) { m->mutable_final_norm()->set_eps(-1); }, "NormSpec.eps is -1"},
        BadCase{"RmsNormBias", [](auto* m) { m->mutable_final_norm()->set_bias(true); }, "RMSNorm has no bias"},
        BadCase{"OddRotaryDim", [](auto* m) { m->mutable_layer()->mutable_attention()->mutable_rope()->set_rotary_dim(7); },
                "RopeSpec.rotary_dim is 7 with head_dim 32"},
        BadCase{"RopeConventionUnset", [](auto* m) { m->mutable_layer()->mutable_attention()->mutable_rope()->set_convention(spec::RopeSpec::CONVENTION_UNSPECIFIED); },
                "ROTATE_HALF for Hugging Face weights"},
        BadCase{"Llama3ScalingIncomplete", [](auto* m) {
                  auto* sc = m->mutable_layer()->mutable_attention()->mutable_rope()->mutable_scaling();
                  sc->set_type(spec::RopeScaling::LLAMA3); sc->set_factor(8); },
                "low_freq_factor/high_freq_factor"},
        BadCase{"NoPositions", [](auto* m) { m->mutable_layer()->mutable_attention()->set_use_rope(false);
                                             m->mutable_layer()->mutable_attention()->clear_rope(); },
                "no position information"},
        BadCase{"PositionBiasWithoutKind", [](auto* m) { MakeAlibi(m);
                  m->mutable_layer()->mutable_attention()->mutable_position_bias()->clear_kind(); },
                "AttentionSpec.position_bias.kind is unset: name a registered position-bias kind"},
        BadCase{"PositionBiasZeroMaxBias", [](auto* m) { MakeAlibi(m);
                  m->mutable_layer()->mutable_attention()->mutable_position_bias()->set_max_bias(0); },
                "AttentionSpec.position_bias.max_bias is 0: use the model's positive slope base"},
        BadCase{"PositionBiasWithRope", [](auto* m) {
                  m->mutable_layer()->mutable_attention()->mutable_position_bias()->set_kind("alibi");
                  m->mutable_layer()->mutable_attention()->mutable_position_bias()->set_max_bias(8); },
                "position_bias (\"alibi\") is set together with use_rope: a model takes its positions from one"},
        BadCase{"DisagreeingDims", [](auto* m) { m->mutable_layer()->mutable_mlp()->set_hidden_dim(64); },
                "mlp.hidden_dim is 64 but the model's is 128"},
        BadCase{"BosOutsideVocab", [](auto* m) { m->mutable_special_tokens()->set_bos_id(600); },
                "special_tokens.bos_id (600) is outside the vocabulary of 512"},
        BadCase{"EmbeddingSliceInAModel", [](auto* m) { m->mutable_token_embedding()->set_first_token(256); },
                "token_embedding.first_token is 256: leave it 0"},
        BadCase{"TiedHeadWithBias", [](auto* m) { m->mutable_lm_head()->set_tied(true); m->mutable_lm_head()->set_bias(true); },
                "a tied head reuses the embedding only"},
        BadCase{"TooFewLearnedPositions", [](auto* m) { m->set_learned_positions(true);
                  m->mutable_position_embedding()->set_max_positions(100); },
                "max_seq_len (256) exceeds the 100 learned positions"},
        // Heterogeneous stacks (ModelSpec.layer_groups).
        BadCase{"GroupSelectsNothing", [](auto* m) { *m->add_layer_groups()->mutable_layer() = m->layer(); },
                "ModelSpec.layer_groups[0] selects no layer: list them in `layers` or set `every`"},
        BadCase{"GroupLayerPastTheEnd", [](auto* m) { auto* g = m->add_layer_groups(); g->add_layers(3);
                  *g->mutable_layer() = m->layer(); },
                "layer_groups[0].layers names layer 3 of a model with 3: layers are numbered 0 to 2"},
        BadCase{"GroupStartsPastTheEnd", [](auto* m) { auto* g = m->add_layer_groups(); g->set_every(2); g->set_first(5);
                  *g->mutable_layer() = m->layer(); },
                "layer_groups[0].first (5) is past the last layer (2)"},
        BadCase{"LayerInTwoGroups", [](auto* m) {
                  for (int i = 0; i < 2; ++i) { auto* g = m->add_layer_groups(); g->add_layers(1); *g->mutable_layer() = m->layer(); } },
                "layer_groups[1] selects layer 1, which layer_groups[0] selects too"},
        BadCase{"GroupWithOtherHeads", [](auto* m) { auto* g = m->add_layer_groups(); g->add_layers(0);
                  *g->mutable_layer() = m->layer(); g->mutable_layer()->mutable_attention()->set_num_kv_heads(4); },
                "layer_groups[0].layer.attention has 4 heads, 4 KV heads of 32 where ModelSpec.layer has 4, 2 of 32"},
        BadCase{"InvalidGroupLayer", [](auto* m) { auto* g = m->add_layer_groups(); g->add_layers(0);
                  *g->mutable_layer() = m->layer(); g->mutable_layer()->mutable_mlp()->set_intermediate_dim(0); },
                "ModelSpec.layer_groups[0].layer"},
        BadCase{"RankExpertsInAModel", [](auto* m) { m->mutable_layer()->clear_mlp();
                  auto* moe = m->mutable_layer()->mutable_moe();
                  moe->set_num_experts(4); moe->set_experts_per_token(2); moe->set_expert_dim(64); moe->set_local_experts(2); },
                "ModelSpec.layer.moe.local_experts is 2: leave it 0: only a tensor-parallel rank's share"},
        BadCase{"RankExpertsPastTheEnd", [](auto* m) { m->mutable_layer()->clear_mlp();
                  auto* moe = m->mutable_layer()->mutable_moe();
                  moe->set_num_experts(4); moe->set_experts_per_token(2); moe->set_expert_dim(64);
                  moe->set_first_expert(3); moe->set_local_experts(2); },
                "MoeSpec.local_experts (2 from expert 3) run past the 4 experts"},
        // Limits on what a file may claim (issue 20), refused before any buffer is planned for them.
        BadCase{"BillionTokenContext", [](auto* m) { m->set_max_seq_len(1000000000); },
                "ModelSpec.max_seq_len is 1000000000, more than the 16777216 tokens of context"},
        BadCase{"TwoToTheThirtyOneVocabulary", [](auto* m) { m->set_vocab_size(uint32_t{1} << 31); },
                "ModelSpec.vocab_size is 2147483648, more than the 16777216 tokens"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TextFormatTest, ParseErrorsCarryLineAndSource) {
  spec::ModelSpec m;
  absl::Status s = ParseTextProto("vocab_size: 5\nnot_a_field: 3\n", &m, "model.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("model.textproto"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("line 2"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("not_a_field"));
}

}  // namespace
}  // namespace ttt
