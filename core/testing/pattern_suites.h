// Module by module, the patterns without a CausalLm (an Encoder, a Seq2SeqLm) against the float64 math of their
// own (dequantised) weights, as TestSuite judges a decoder's: seeded token ids go through the float64 reference
// (reference_encoder.h, reference_seq2seq.h), and each module is fed the reference's input to it, rounded to
// f32, so a bad module fails alone (its layer and model fail after it, but Report::Culprits names it). The whole
// pattern is one more case. Everything runs prefill (an encoder has no decode; T5's decoder runs the target as
// one batch). Register them with RegisterReportTests (gtest_suite.h), one gtest per case.
#pragma once

#include <string>
#include <vector>

#include "core/patterns/encoder/encoder.h"
#include "core/patterns/seq2seq/seq2seq_lm.h"
#include "core/testing/report.h"
#include "core/testing/test_suite.h"

namespace ttt::testing {

// "embeddings", per layer "layers.<i>.{attn,attention_norm,mlp,mlp_norm}", then "encoder".
std::vector<std::string> EncoderCaseNames(const Encoder& encoder);
// options.tokens ids (at most the encoder's positions), seeded by options.seed.
Report TestEncoderModules(const Encoder& encoder, const SuiteOptions& options = {});

// "encoder.layers.<i>.{attention_norm,attn,mlp_norm,mlp}", "encoder.final_norm",
// "decoder.layers.<i>.{self_attn_norm,self_attn,cross_attn_norm,cross_attn,mlp_norm,mlp}", "decoder.final_norm",
// "lm_head", then "seq2seq" (the logits of the whole model).
std::vector<std::string> Seq2SeqCaseNames(const Seq2SeqLm& model);
// options.tokens source ids and as many target ids (the first the decoder start), seeded by options.seed.
Report TestSeq2SeqModules(const Seq2SeqLm& model, const SuiteOptions& options = {});

}  // namespace ttt::testing
