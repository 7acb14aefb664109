// The module instances a decoder-only spec lists: what the engine walks for resolution, the device check,
// the footprint, coverage and building the layers.
#include "core/blocks/model_modules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/factory/synthetic.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::vector<std::string> Names(const std::vector<ModuleInstance>& modules) {
  std::vector<std::string> out;
  for (const ModuleInstance& m : modules) out.push_back(m.name + ":" + m.descriptor->kind + ":" + m.weights);
  return out;
}

TEST(ModelModulesTest, ListsEveryLayerBranchAndTheModelLevelModules) {
  const Validated<spec::ModelSpec> spec = *ValidateModel(*NamedShape("gpt2-124m"));
  auto modules = ListModelModules(spec);
  ASSERT_TRUE(modules.ok()) << modules.status();
  ASSERT_EQ(modules->layers.size(), spec->num_layers());
  EXPECT_THAT(Names(modules->layers[11]),
              ElementsAre("attention_norm:norm:attn_norm", "attention:attention:attn", "mlp_norm:norm:mlp_norm",
                          "mlp:mlp:mlp"));
  EXPECT_THAT(Names(modules->model),
              ElementsAre("token_embedding:token_embedding:tok_embeddings",
                          "position_embedding:position_embedding:pos_embeddings", "final_norm:norm:final_norm",
                          "lm_head:lm_head:lm_head"));
  // Each instance is a view of its part of the spec.
  EXPECT_EQ(&*modules->layers[0][1].spec, &spec->layer().attention());
  EXPECT_EQ(&*modules->model.back().spec, &spec->lm_head());
  // Names that differ from their kinds, for the profiler's suggestions.
  EXPECT_THAT(ModuleKinds(*modules), ElementsAre(Pair("attention_norm", "norm"), Pair("final_norm", "norm"),
                                                 Pair("mlp_norm", "norm")));
}

TEST(ModelModulesTest, OpsAndFlopsComeFromTheDescriptors) {
  const Validated<spec::ModelSpec> spec = *ValidateModel(*NamedShape("smollm-135m"));
  const ModelModules modules = *ListModelModules(spec);
  const ModuleInstance& attention = modules.layers[0][1];
  const std::vector<OpInfo> ops = attention.descriptor->Ops(*attention.spec);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].name, "wqkv");
  EXPECT_EQ(ops[0].out, (9 + 2 * 3) * 64);  // q heads + k and v heads, head_dim 64
  EXPECT_EQ(ops[0].in, 576);
  EXPECT_TRUE(ops[2].matmul && !ops[2].weight);
  // 4 tokens from an empty cache: 10 query-key pairs per head, QK^T and PV at 2 * head_dim FLOPs each.
  EXPECT_DOUBLE_EQ(attention.descriptor->Flops(*attention.spec, ops[2], 4, 4), 10 * 4.0 * 9 * 64);
  EXPECT_DOUBLE_EQ(attention.descriptor->Flops(*attention.spec, ops[0], 4, 4), 2.0 * 4 * 960 * 576);
  EXPECT_EQ(attention.descriptor->kv_cache_values(*attention.spec), 2 * 3 * 64);
}

TEST(ModelModulesTest, LayerModulesOfUnknownKindsAreRefused) {
  spec::ModelSpec spec = *NamedShape("stories260k");
  spec.mutable_layer()->add_modules()->set_kind("attention");
  EXPECT_THAT(std::string(ListModelModules(*ValidateModel(spec)).status().message()),
              ::testing::HasSubstr("kind 'attention' has a fixed place in the layer"));
  spec.mutable_layer()->mutable_modules(0)->set_kind("nope");
  EXPECT_THAT(std::string(ListModelModules(*ValidateModel(spec)).status().message()),
              ::testing::HasSubstr("no module kind 'nope': known kinds are attention, lm_head, mlp, moe, norm"));
}

}  // namespace
}  // namespace ttt
