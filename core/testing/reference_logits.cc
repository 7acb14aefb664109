#include "core/testing/reference_logits.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/testing/metrics.h"
#include "nlohmann/json.hpp"

namespace ttt::testing {

absl::StatusOr<std::vector<float>> ReadF32File(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::string raw, ReadFileToString(path));
  if (raw.size() % sizeof(float) != 0) {
    return absl::DataLossError(absl::StrCat(path, " has ", raw.size(), " bytes, not a whole number of float32s"));
  }
  std::vector<float> v(raw.size() / sizeof(float));
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

double Cosine(absl::Span<const float> a, absl::Span<const float> b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

absl::StatusOr<std::vector<ReferenceCase>> LoadReferenceCases(const std::string& dir, const std::string& index_file) {
  const std::string index = dir + "/" + index_file;
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(index));
  std::vector<ReferenceCase> cases;
  try {
    auto json = nlohmann::json::parse(text);
    for (const auto& c : json.at("cases")) {
      ReferenceCase rc;
      rc.tokens = c.at("tokens").get<std::vector<int32_t>>();
      rc.vocab = c.at("shape").at(1).get<int64_t>();
      const std::string file = dir + "/" + c.at("logits_file").get<std::string>();
      TTT_ASSIGN_OR_RETURN(rc.logits, ReadF32File(file));
      if (rc.logits.size() != rc.tokens.size() * rc.vocab) {
        return absl::DataLossError(absl::StrCat(file, " has ", rc.logits.size(), " floats; ", index, " promises ",
                                                rc.tokens.size(), " x ", rc.vocab, " float32 logits"));
      }
      cases.push_back(std::move(rc));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(index, ": not a reference index: ", e.what()));
  }
  return cases;
}

LogitsAgreement CompareLogits(absl::Span<const float> actual, absl::Span<const float> expected, int64_t vocab) {
  const size_t n = std::min(actual.size(), expected.size());
  const std::vector<double> expected64(expected.begin(), expected.begin() + n);
  const Metrics m = Compare(actual.subspan(0, n), expected64, vocab, /*logits=*/true);
  LogitsAgreement a;
  a.max_abs_error = m.max_abs_error;
  a.max_abs_reference = m.max_abs_reference;
  a.pcc = m.pcc;
  a.top1 = m.top1 < 0 ? 1.0 : m.top1;
  a.worst_position = m.worst_row;
  for (size_t t = 0; t < n / vocab; ++t) {
    const float* x = actual.data() + t * vocab;
    const float* y = expected.data() + t * vocab;
    if (std::max_element(x, x + vocab) - x != std::max_element(y, y + vocab) - y) {
      a.first_argmax_mismatch = static_cast<int64_t>(t);
      break;
    }
  }
  return a;
}

absl::StatusOr<std::vector<float>> PrefillLogits(const CausalLm& model, const std::vector<int32_t>& tokens) {
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, static_cast<int64_t>(tokens.size())));
  std::vector<float> logits(tokens.size() * model.vocab_size());
  TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, tokens, logits.data(), /*all_logits=*/true));
  return logits;
}

}  // namespace ttt::testing
