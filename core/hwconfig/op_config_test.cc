// The hardware-config schema (core/hwconfig/proto/op_config.proto): what a config file looks like.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/hwconfig/proto/op_config.pb.h"
#include "core/specs/text_format.h"
#include "google/protobuf/util/message_differencer.h"

namespace ttt {
namespace {

using ::testing::HasSubstr;

// A performance-mode config shaped like TTTv1's precision table (BFP4 MLP weights at LoFi, BFP8 attention
// at HiFi2, BFP8 KV cache), with one layer's ff1_3 kept in BFP8 and a layer range at HiFi4 for decode.
constexpr char kExample[] = R"pb(
  device: "n150"
  mode: PERFORMANCE
  defaults {
    key: "mlp"
    value {
      prefill {
        ops { key: "ff1_3" value { weight_dtype: BFP4 activation_dtype: BF16 output_dtype: BFP8 math_fidelity: LOFI } }
        ops { key: "ff2" value { weight_dtype: BFP8 math_fidelity: HIFI2 fp32_accumulation: false } }
      }
      decode {
        ops { key: "ff1_3" value { weight_dtype: BFP4 math_fidelity: LOFI placement: L1 layout: WIDTH_SHARDED } }
        ops { key: "ff2" value { weight_dtype: BFP8 math_fidelity: HIFI2 packer_l1_accumulation: true } }
      }
    }
  }
  defaults {
    key: "attention"
    value {
      prefill {
        ops { key: "wqkv" value { weight_dtype: BFP8 math_fidelity: HIFI2 } }
        ops { key: "wo" value { weight_dtype: BFP8 math_fidelity: HIFI2 } }
        ops { key: "sdpa" value { math_fidelity: HIFI4 fp32_accumulation: true } }
        kv_cache_dtype: BFP8
        kv_cache_layout: INTERLEAVED
      }
      decode {
        ops { key: "sdpa" value { math_fidelity: HIFI2 math_approx_mode: true } }
        kv_cache_dtype: BFP8
      }
    }
  }
  overrides {
    layer: 0
    modules { key: "mlp" value { decode { ops { key: "ff1_3" value { weight_dtype: BFP8 } } } } }
  }
  overrides {
    range { first: 30 last: 31 }
    modules { key: "attention" value { decode { ops { key: "wqkv" value { math_fidelity: HIFI4 } } } } }
  }
)pb";

TEST(OpConfigTest, ModelHwConfigExampleParses) {
  hw::ModelHwConfig config;
  absl::Status status = ParseTextProto(kExample, &config, "example");
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(config.device(), "n150");
  EXPECT_EQ(config.mode(), hw::PERFORMANCE);

  const hw::ModuleConfig& mlp_prefill = config.defaults().at("mlp").prefill();
  const hw::OpConfig& ff1_3 = mlp_prefill.ops().at("ff1_3");
  EXPECT_EQ(ff1_3.weight_dtype(), hw::BFP4);
  EXPECT_EQ(ff1_3.activation_dtype(), hw::BF16);
  EXPECT_EQ(ff1_3.output_dtype(), hw::BFP8);
  EXPECT_EQ(ff1_3.math_fidelity(), hw::LOFI);
  EXPECT_EQ(ff1_3.placement(), hw::MEMORY_PLACEMENT_UNSPECIFIED);  // unset = inherit
  EXPECT_EQ(config.defaults().at("mlp").decode().ops().at("ff1_3").layout(), hw::WIDTH_SHARDED);

  // An explicit false is distinguishable from "not set", so an override can switch accumulation off.
  EXPECT_FALSE(ff1_3.has_fp32_accumulation());
  ASSERT_TRUE(mlp_prefill.ops().at("ff2").has_fp32_accumulation());
  EXPECT_FALSE(mlp_prefill.ops().at("ff2").fp32_accumulation());

  const hw::ModuleHwConfig& attention = config.defaults().at("attention");
  EXPECT_EQ(attention.prefill().kv_cache_dtype(), hw::BFP8);
  EXPECT_EQ(attention.prefill().kv_cache_layout(), hw::INTERLEAVED);
  EXPECT_TRUE(attention.prefill().ops().at("sdpa").fp32_accumulation());
  EXPECT_TRUE(attention.decode().ops().at("sdpa").math_approx_mode());

  ASSERT_EQ(config.overrides_size(), 2);
  EXPECT_EQ(config.overrides(0).layers_case(), hw::LayerOverride::kLayer);
  EXPECT_EQ(config.overrides(0).layer(), 0u);
  EXPECT_EQ(config.overrides(1).layers_case(), hw::LayerOverride::kRange);
  EXPECT_EQ(config.overrides(1).range().first(), 30u);
  EXPECT_EQ(config.overrides(1).range().last(), 31u);
  EXPECT_EQ(config.overrides(1).modules().at("attention").decode().ops().at("wqkv").math_fidelity(), hw::HIFI4);
}

TEST(OpConfigTest, TextFormatRoundTrips) {
  hw::ModelHwConfig config, again;
  ASSERT_TRUE(ParseTextProto(kExample, &config).ok());
  ASSERT_TRUE(ParseTextProto(ToTextProto(config), &again).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(config, again));
}

TEST(OpConfigTest, UnknownFormatIsRejectedWithItsPosition) {
  hw::OpConfig op;
  absl::Status status = ParseTextProto("weight_dtype: BF8", &op, "mlp.textproto");
  ASSERT_FALSE(status.ok());
  const std::string message(status.message());
  EXPECT_THAT(message, HasSubstr("mlp.textproto"));
  EXPECT_THAT(message, HasSubstr("line 1"));
  EXPECT_THAT(message, HasSubstr("BF8"));
}

TEST(OpConfigTest, OneOverrideSelectsEitherALayerOrARange) {
  hw::LayerOverride o;
  absl::Status status = ParseTextProto("layer: 3 range { first: 4 last: 5 }", &o);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("oneof"));
}

}  // namespace
}  // namespace ttt
