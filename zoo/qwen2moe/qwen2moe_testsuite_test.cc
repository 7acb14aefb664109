// TestSuite for the zoo's qwen2moe: every module (embedding, each layer's norms, attention in prefill and decode,
// the mixture of experts (router, chosen experts, shared expert) and the layer, final norm, head, whole model) judged against the float64 math of the source
// checkpoint it was loaded from (reference tracking: a bad module fails alone, named by its checkpoint
// path), and with bfp8 weights against the float64 math of its own weights. One gtest per case.
#include "core/testing/gtest_suite.h"

namespace {

const bool kRegistered = ttt::testing::RegisterCheckpointSuites("Qwen2MoE", MODEL_DATA "/hf");

}  // namespace
