// T5's relative position bias: a learned table [num_buckets, num_heads] added to the attention scores, indexed
// by a bucket of the distance (key position - query position). Distances shorter than half the buckets (per
// direction) have a bucket each; longer ones share buckets spaced logarithmically up to max_distance, beyond
// which all fall into the last. Bidirectional (encoder): half of the buckets are for keys after the query.
// Causal (decoder): keys after the query are masked anyway, so they share bucket 0 with distance 0.
// The first layer of each T5 stack holds the table; every layer of that stack adds the same bias.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/module_descriptor.h"
#include "core/blocks/weights.h"
#include "core/specs/proto/seq2seq.pb.h"

namespace ttt {

// The bucket of `relative` = key position - query position. Computed as llama.cpp and Hugging Face do (a
// float logarithm, truncated), so that distances sitting exactly on a bucket boundary land where theirs do.
int32_t RelativePositionBucket(int64_t relative, int64_t num_buckets, int64_t max_distance, bool bidirectional);
// The same from the definition in float64: the reference RelativePositionBucket is tested against.
int32_t RelativePositionBucketReference(int64_t relative, int64_t num_buckets, int64_t max_distance,
                                        bool bidirectional);

class RelativePositionBias {
 public:
  RelativePositionBias() = default;
  // Loads `name` [num_buckets, num_heads] (f32). `spec` checked by CheckRelativePositionBias.
  static absl::StatusOr<RelativePositionBias> Create(const spec::RelativePositionBiasSpec& spec,
                                                     const WeightMap& weights, const std::string& name);

  // bias [num_heads, queries, keys]: queries at positions q0 .. q0+queries-1, keys at 0 .. keys-1.
  void Fill(int64_t q0, int64_t queries, int64_t keys, float* bias) const;

  const spec::RelativePositionBiasSpec& spec() const { return spec_; }
  const Tensor& table() const { return table_; }
  int64_t num_heads() const { return spec_.num_heads(); }

 private:
  spec::RelativePositionBiasSpec spec_;
  Tensor table_;  // [num_buckets, num_heads]
};

// Kind "relative_position_bias": no ops of its own (a lookup, no matmul); its table counts as other weights.
ModuleDescriptor RelativePositionBiasDescriptor();

}  // namespace ttt
