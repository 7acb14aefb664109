// TestSuite for the zoo's bert: every module (the embeddings and their LayerNorm, each layer's bidirectional
// attention, norms and MLP, the whole encoder) against the float64 math of its own weights, fed the float64
// reference's activations so a bad module fails alone: the f32 encoder, and one with bfp8 projections. One gtest
// per case (core/testing/gtest_pattern_suites.h).
#include "core/testing/gtest_pattern_suites.h"

namespace {

const bool kRegistered = ttt::testing::RegisterEncoderSuites("Bert", MODEL_DATA "/hf");

}  // namespace
