#include "core/testing/metrics.h"

#include <algorithm>
#include <cmath>

namespace ttt::testing {

Metrics Compare(absl::Span<const float> actual, absl::Span<const double> expected, int64_t cols, bool logits) {
  Metrics m;
  const int64_t n = static_cast<int64_t>(std::min(actual.size(), expected.size()));
  m.count = n;
  if (n == 0 || cols <= 0) return m;
  double ma = 0, me = 0, sum_err = 0;
  int64_t worst = 0;
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) {
    ma += actual[i];
    me += expected[i];
    const double e = std::abs(double(actual[i]) - expected[i]);
    if (!std::isfinite(e)) finite = false;
    sum_err += e;
    if (!(e <= m.max_abs_error)) {  // also catches NaN
      m.max_abs_error = e;
      worst = i;
    }
    m.max_abs_reference = std::max(m.max_abs_reference, std::abs(expected[i]));
  }
  ma /= n;
  me /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double a = actual[i] - ma, b = expected[i] - me;
    sab += a * b;
    saa += a * a;
    sbb += b * b;
  }
  // Two constant signals that agree correlate perfectly; otherwise a constant one does not correlate.
  if (!finite) {
    m.pcc = 0;
  } else if (saa == 0 || sbb == 0) {
    m.pcc = (saa == 0 && sbb == 0 && m.max_abs_error <= 1e-12 * std::max(1.0, m.max_abs_reference)) ? 1.0 : 0.0;
  } else {
    m.pcc = sab / std::sqrt(saa * sbb);
  }
  m.mean_abs_error = sum_err / n;
  m.worst_row = worst / cols;
  m.worst_col = worst % cols;
  if (logits) {
    const int64_t rows = n / cols;
    int64_t agree = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const auto a = actual.subspan(r * cols, cols);
      const auto e = expected.subspan(r * cols, cols);
      agree += (std::max_element(a.begin(), a.end()) - a.begin()) == (std::max_element(e.begin(), e.end()) - e.begin());
    }
    m.top1 = rows ? double(agree) / rows : 0;
  }
  return m;
}

}  // namespace ttt::testing
