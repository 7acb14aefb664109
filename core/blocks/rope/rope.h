// Rotary position embedding: precomputed cos/sin tables for every position up to max_seq_len, with the
// default, linear, Llama-3 and LongRoPE (Phi-3) frequency scalings, partial rotary dimensions and both pair
// conventions.
#pragma once

#include <vector>

#include "core/ops/ops.h"
#include "core/specs/proto/rope.pb.h"

namespace ttt {

class Rope {
 public:
  // `spec` must be validated (head_dim filled). `context` is the longest sequence the model is built for (its
  // attention's max_seq_len): LongRoPE picks its long factors when that exceeds the original training context.
  // The cos/sin table covers `table_rows` positions (-1: `context`; 0: none, for RotateBy alone).
  Rope(const spec::RopeSpec& spec, int64_t context, int64_t table_rows = -1);

  // x [tokens, heads, head_dim] rotated in place; positions [tokens].
  void Apply(float* x, int64_t tokens, int64_t heads, const int32_t* positions) const;

  // Rotates x [tokens, heads, head_dim], already rotated at any positions, by `delta` more positions: rotations
  // compose (angles add), so a key rotated at p becomes the key rotated at p + delta. KV-cache compaction
  // uses it to move cached keys to new positions (llama.cpp's "K-shift"). The angles delta * frequency are
  // computed here in double, so any delta works, inside the table's positions or not. A pure rotation: the
  // LongRoPE magnitude was applied when the key was first rotated.
  void RotateBy(float* x, int64_t tokens, int64_t heads, int64_t delta) const;

  // The rotation frequency of each pair after scaling (exposed for tests).
  const std::vector<double>& inverse_frequencies() const { return inv_freq_; }

 private:
  spec::RopeSpec spec_;
  ops::RopeConvention convention_;
  std::vector<double> inv_freq_;
  std::vector<float> cos_;  // [max_seq_len, rotary_dim / 2]
  std::vector<float> sin_;
};

// The scaled inverse frequencies theta^(-2i/rotary_dim), i < rotary_dim/2, per the spec's scaling, for a model
// built for `context` positions (only LongRoPE depends on it).
std::vector<double> RopeInverseFrequencies(const spec::RopeSpec& spec, int64_t context = 0);

// What cos and sin are multiplied by: LongRoPE's attention factor, 1 for every other scaling.
double RopeMagnitude(const spec::RopeScaling& scaling);

// LongRoPE's per-pair divisors for a model built for `context` positions: the long factors past the original
// training context, as llama.cpp decides from its context size (Hugging Face decides per call from the current
// sequence length instead; the two agree whenever the context and the sequence fall on the same side).
const google::protobuf::RepeatedField<double>& LongRopeFactors(const spec::RopeScaling& scaling, int64_t context);

}  // namespace ttt
