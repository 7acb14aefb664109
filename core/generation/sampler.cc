#include "core/generation/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace ttt {

absl::Status ValidateSamplingOptions(const SamplingOptions& o) {
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature)) {
    return absl::InvalidArgumentError(absl::StrCat("temperature ", o.temperature, " must be >= 0 (0 is greedy)"));
  }
  if (!(o.top_p > 0 && o.top_p <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("top-p ", o.top_p, " must be in (0, 1]"));
  }
  if (!(o.min_p >= 0 && o.min_p < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("min-p ", o.min_p, " must be in [0, 1)"));
  }
  if (o.top_k < 0) return absl::InvalidArgumentError(absl::StrCat("top-k ", o.top_k, " must be >= 0 (0 = off)"));
  if (!(o.repetition_penalty > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("repetition penalty ", o.repetition_penalty, " must be > 0 (1 = off)"));
  }
  return absl::OkStatus();
}

Sampler::Sampler(const SamplingOptions& options) : options_(options), rng_(options.seed) {}

int32_t Sampler::Sample(absl::Span<const float> logits, absl::Span<const int32_t> history) {
  const int32_t vocab = static_cast<int32_t>(logits.size());
  work_.assign(logits.begin(), logits.end());
  if (options_.repetition_penalty != 1.0f) {
    size_t from = options_.repetition_window > 0 && history.size() > static_cast<size_t>(options_.repetition_window)
                      ? history.size() - options_.repetition_window
                      : 0;
    std::vector<bool> seen(vocab, false);
    for (size_t i = from; i < history.size(); ++i) {
      int32_t t = history[i];
      if (t < 0 || t >= vocab || seen[t]) continue;
      seen[t] = true;
      work_[t] = work_[t] > 0 ? work_[t] / options_.repetition_penalty : work_[t] * options_.repetition_penalty;
    }
  }
  if (options_.temperature == 0.0f) {
    return static_cast<int32_t>(std::max_element(work_.begin(), work_.end()) - work_.begin());
  }
  // Candidates sorted by logit, best first; top-k keeps the first k.
  order_.resize(vocab);
  std::iota(order_.begin(), order_.end(), 0);
  int32_t keep = options_.top_k > 0 ? std::min(options_.top_k, vocab) : vocab;
  auto by_logit = [&](int32_t a, int32_t b) { return work_[a] > work_[b] || (work_[a] == work_[b] && a < b); };
  std::partial_sort(order_.begin(), order_.begin() + keep, order_.end(), by_logit);
  order_.resize(keep);
  // Softmax over the kept candidates at the given temperature.
  std::vector<double> probs(keep);
  const double top = work_[order_[0]];
  double sum = 0;
  for (int32_t i = 0; i < keep; ++i) {
    probs[i] = std::exp((work_[order_[i]] - top) / options_.temperature);
    sum += probs[i];
  }
  for (double& p : probs) p /= sum;
  // min-p: drop candidates far less likely than the best; top-p: keep the smallest prefix reaching p.
  int32_t n = keep;
  if (options_.min_p > 0) {
    while (n > 1 && probs[n - 1] < options_.min_p * probs[0]) --n;
  }
  if (options_.top_p < 1) {
    double cumulative = 0;
    for (int32_t i = 0; i < n; ++i) {
      cumulative += probs[i];
      if (cumulative >= options_.top_p) {
        n = i + 1;
        break;
      }
    }
  }
  double total = std::accumulate(probs.begin(), probs.begin() + n, 0.0);
  double r = std::uniform_real_distribution<double>(0.0, total)(rng_);
  for (int32_t i = 0; i < n; ++i) {
    r -= probs[i];
    if (r < 0) return order_[i];
  }
  return order_[n - 1];
}

}  // namespace ttt
