#include "experimental/kv/attention_sinks/attention_sinks.h"

#include <algorithm>

namespace ttt::experimental {

EvictionPlan PlanSinkEviction(int64_t length, int64_t capacity, int64_t sink_tokens) {
  EvictionPlan plan;
  if (length <= capacity) {
    for (int64_t i = 0; i < length; ++i) plan.keep.push_back(i);
    return plan;
  }
  const int64_t sinks = std::min(sink_tokens, capacity);
  for (int64_t i = 0; i < sinks; ++i) plan.keep.push_back(i);
  for (int64_t i = length - (capacity - sinks); i < length; ++i) plan.keep.push_back(i);
  return plan;
}

}  // namespace ttt::experimental
