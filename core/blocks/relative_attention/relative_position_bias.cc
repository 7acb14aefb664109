#include "core/blocks/relative_attention/relative_position_bias.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt {

int32_t RelativePositionBucket(int64_t relative, int64_t num_buckets, int64_t max_distance, bool bidirectional) {
  int64_t buckets = num_buckets, bucket = 0, distance;
  if (bidirectional) {
    buckets /= 2;
    if (relative > 0) bucket = buckets;  // keys after the query
    distance = std::abs(relative);
  } else {
    distance = relative < 0 ? -relative : 0;  // only the past counts
  }
  const int64_t exact = buckets / 2;
  if (distance < exact) return static_cast<int32_t>(bucket + distance);
  // The logarithm in float, the constant in double and truncation: the rounding of the reference
  // implementations, which matters at distances whose log-spaced bucket is an exact integer.
  const float log_ratio = std::log(static_cast<float>(static_cast<double>(distance) / exact));
  const double scaled = exact + (log_ratio * static_cast<float>(buckets - exact)) /
                                    std::log(static_cast<double>(max_distance) / exact);
  const int64_t large = std::min<int64_t>(static_cast<int64_t>(std::floor(static_cast<float>(scaled))), buckets - 1);
  return static_cast<int32_t>(bucket + large);
}

int32_t RelativePositionBucketReference(int64_t relative, int64_t num_buckets, int64_t max_distance,
                                        bool bidirectional) {
  const int64_t per_direction = bidirectional ? num_buckets / 2 : num_buckets;
  const int64_t offset = bidirectional && relative > 0 ? per_direction : 0;
  const int64_t distance = bidirectional ? std::llabs(relative) : std::max<int64_t>(-relative, 0);
  const int64_t exact = per_direction / 2;
  if (distance < exact) return static_cast<int32_t>(offset + distance);
  const double log_spaced = exact + std::log(static_cast<double>(distance) / exact) /
                                        std::log(static_cast<double>(max_distance) / exact) * (per_direction - exact);
  return static_cast<int32_t>(offset + std::min<int64_t>(static_cast<int64_t>(log_spaced), per_direction - 1));
}

absl::StatusOr<RelativePositionBias> RelativePositionBias::Create(const spec::RelativePositionBiasSpec& spec,
                                                                  const WeightMap& weights, const std::string& name) {
  RelativePositionBias b;
  b.spec_ = spec;
  TTT_ASSIGN_OR_RETURN(b.table_, RequireWeight(weights, name, {spec.num_buckets(), spec.num_heads()}));
  return b;
}

void RelativePositionBias::Fill(int64_t q0, int64_t queries, int64_t keys, float* bias) const {
  const int64_t heads = num_heads();
  const float* table = table_.data<float>();
  for (int64_t q = 0; q < queries; ++q) {
    for (int64_t k = 0; k < keys; ++k) {
      const int32_t bucket =
          RelativePositionBucket(k - (q0 + q), spec_.num_buckets(), spec_.max_distance(), spec_.bidirectional());
      for (int64_t h = 0; h < heads; ++h) bias[(h * queries + q) * keys + k] = table[bucket * heads + h];
    }
  }
}

ModuleDescriptor RelativePositionBiasDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/attention/relative_position_bias";
  d.kind = "relative_position_bias";
  d.tier = "core";
  d.summary = "T5's learned relative position bias: a [buckets, heads] table added to attention scores by a "
              "log-spaced bucket of the key-query distance (bidirectional or causal)";
  d.spec_type = spec::RelativePositionBiasSpec::descriptor();
  d.footprint_group = "attention";
  d.other_weight_values = [](const google::protobuf::Message& m) -> int64_t {
    const auto& s = static_cast<const spec::RelativePositionBiasSpec&>(m);
    return static_cast<int64_t>(s.num_buckets()) * s.num_heads();
  };
  return d;
}

}  // namespace ttt
