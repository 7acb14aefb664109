#include "experimental/kv/attention_sinks/attention_sinks.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

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

absl::StatusOr<std::shared_ptr<const AttentionSinksPolicy>> AttentionSinksPolicy::Parse(absl::string_view text) {
  constexpr char kForm[] = "write sinks:N or sinks:N,window:W (N sink tokens >= 0, W recent tokens >= 1)";
  int64_t sinks = -1, window = 0;
  for (absl::string_view field : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> kv = absl::StrSplit(field, absl::MaxSplits(':', 1));
    int64_t value = 0;
    if (kv.size() != 2 || !absl::SimpleAtoi(kv[1], &value)) {
      return absl::InvalidArgumentError(absl::StrCat("KV-cache policy '", text, "': '", field,
                                                     "' is not NAME:NUMBER; ", kForm));
    }
    if (kv[0] == "sinks" && value >= 0) {
      sinks = value;
    } else if (kv[0] == "window" && value >= 1) {
      window = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("KV-cache policy '", text, "': '", field, "' is ",
                                                     kv[0] == "sinks" || kv[0] == "window" ? "out of range"
                                                                                           : "not a known setting",
                                                     "; ", kForm));
    }
  }
  if (sinks < 0) {
    return absl::InvalidArgumentError(absl::StrCat("KV-cache policy '", text, "' names no sink count; ", kForm));
  }
  return std::make_shared<const AttentionSinksPolicy>(sinks, window);
}

std::string AttentionSinksPolicy::Describe() const {
  return window_ > 0 ? absl::StrCat("sinks:", sink_tokens_, ",window:", window_) : absl::StrCat("sinks:", sink_tokens_);
}

int64_t AttentionSinksPolicy::RecentRowsKept(int64_t capacity) const {
  const int64_t rest = capacity - sink_tokens_;
  return window_ > 0 ? window_ : rest - rest / 2;  // llama.cpp's context shift discards rest / 2
}

absl::Status AttentionSinksPolicy::Check(int64_t capacity) const {
  // At least one row must be freed by each eviction, or generation could not go on.
  const int64_t needed = sink_tokens_ + (window_ > 0 ? window_ + 1 : 2);
  if (capacity < needed) {
    const std::string recent = window_ > 0 ? absl::StrCat(" and ", window_, " recent ones") : "";
    return absl::InvalidArgumentError(absl::StrCat(
        Describe(), " keeps ", sink_tokens_, " sink tokens", recent, ", so it needs a context of at least ", needed,
        " tokens to evict any, but the context is ", capacity,
        ": use a longer context (--ctx) or fewer sinks", window_ > 0 ? " or a smaller window" : ""));
  }
  return absl::OkStatus();
}

std::vector<int64_t> AttentionSinksPolicy::RowsToKeep(int64_t length, int64_t capacity) const {
  const int64_t recent = RecentRowsKept(capacity);
  if (recent < 1 || sink_tokens_ + recent >= length) {  // nothing to evict: keep all (the sequence stops)
    std::vector<int64_t> all(static_cast<size_t>(length));
    for (int64_t i = 0; i < length; ++i) all[i] = i;
    return all;
  }
  return PlanSinkEviction(length, sink_tokens_ + recent, sink_tokens_).keep;
}

}  // namespace ttt::experimental
