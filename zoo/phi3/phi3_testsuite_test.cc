// TestSuite for the zoo's phi3: every module (embedding, each layer's norms, attention in prefill and decode,
// MLP and the layer, final norm, head, whole model) judged against the float64 math of the source
// checkpoint it was loaded from (reference tracking: a bad module fails alone, named by its checkpoint
// path), and with bfp8 weights against the float64 math of its own weights. One gtest per case.
#include "core/testing/gtest_suite.h"

namespace {

const bool kRegistered = ttt::testing::RegisterCheckpointSuites("Phi3", MODEL_DATA "/hf");

}  // namespace
