// TestSuite for the zoo's t5: every module (each encoder layer's norms, attention with its relative position bias
// and MLP, the encoder's final norm; each decoder layer's norms, causal self-attention, cross-attention over the
// encoder output and MLP; the decoder's final norm, the head, the whole model) against the float64 math of its own
// weights, fed the float64 reference's activations so a bad module fails alone: the f32 model, and one with bfp8
// projections. One gtest per case (core/testing/gtest_pattern_suites.h).
#include "core/testing/gtest_pattern_suites.h"

namespace {

const bool kRegistered = ttt::testing::RegisterSeq2SeqSuites("T5", MODEL_DATA "/hf");

}  // namespace
