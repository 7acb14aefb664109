// Agreement metrics of a module's output against its float64 reference: PCC, max and mean absolute
// error, the worst position, and top-1 agreement per row for logits.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace ttt::testing {

struct Metrics {
  double pcc = 0;                // Pearson correlation over all elements
  double max_abs_error = 0;
  double mean_abs_error = 0;
  double max_abs_reference = 0;  // scale of the reference, to read the errors against
  double top1 = -1;              // logits: fraction of rows whose argmax agrees; -1 when not logits
  int64_t worst_row = 0, worst_col = 0;  // position of the largest error
  int64_t count = 0;
};

// actual and expected hold [rows, cols]; `logits` adds top-1 agreement.
Metrics Compare(absl::Span<const float> actual, absl::Span<const double> expected, int64_t cols, bool logits);

}  // namespace ttt::testing
