#include "core/generation/embed.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt {

std::vector<float> Pool(absl::Span<const float> hidden, int64_t tokens, int64_t dim, spec::Pooling pooling) {
  std::vector<float> out(dim, 0.0f);
  if (tokens == 0) return out;
  if (pooling == spec::CLS || pooling == spec::LAST) {
    const float* row = hidden.data() + (pooling == spec::CLS ? 0 : tokens - 1) * dim;
    out.assign(row, row + dim);
    return out;
  }
  // Summed in double: a long text's mean does not depend on the order of its rows.
  std::vector<double> sum(dim, 0.0);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t i = 0; i < dim; ++i) sum[i] += hidden[t * dim + i];
  }
  for (int64_t i = 0; i < dim; ++i) out[i] = static_cast<float>(sum[i] / tokens);
  return out;
}

void NormalizeL2(std::vector<float>& v) {
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  if (norm == 0) return;
  for (float& x : v) x = static_cast<float>(x / norm);
}

absl::StatusOr<spec::Pooling> ParsePooling(const std::string& name) {
  if (name == "mean") return spec::MEAN;
  if (name == "cls") return spec::CLS;
  if (name == "last") return spec::LAST;
  return absl::InvalidArgumentError(absl::StrCat("pooling \"", name, "\" is unknown; use mean, cls or last"));
}

std::string PoolingName(spec::Pooling pooling) {
  switch (pooling) {
    case spec::MEAN: return "mean";
    case spec::CLS: return "cls";
    case spec::LAST: return "last";
    default: return "unspecified";
  }
}

absl::StatusOr<std::vector<TextEmbedding>> Embed(const Encoder& encoder, const tokenizers::Tokenizer& tokenizer,
                                                 absl::Span<const std::string> texts, const EmbedOptions& options) {
  const spec::Pooling pooling =
      options.pooling == spec::POOLING_UNSPECIFIED ? encoder.spec().default_pooling() : options.pooling;
  if (pooling != spec::MEAN && pooling != spec::CLS && pooling != spec::LAST) {
    return absl::InvalidArgumentError(absl::StrCat("pooling ", spec::Pooling_Name(pooling),
                                                   " is not one Embed computes; use MEAN, CLS or LAST"));
  }
  std::vector<TextEmbedding> out;
  out.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string where = absl::StrCat("text ", i);
    absl::StatusOr<std::vector<int32_t>> ids = tokenizer.Encode(
        texts[i], tokenizers::EncodeOptions{.add_bos = tokenizer.add_bos_by_default(),
                                            .add_eos = tokenizer.add_eos_by_default()});
    if (!ids.ok()) return Annotate(ids.status(), where);
    if (static_cast<int64_t>(ids->size()) > encoder.max_positions() && options.truncate) {
      const int32_t last = ids->back();
      ids->resize(encoder.max_positions());
      ids->back() = last;  // keep the closing [SEP]: the model was trained with one
    }
    absl::StatusOr<std::vector<float>> hidden = encoder.Forward(*ids);
    if (!hidden.ok()) return Annotate(hidden.status(), where);
    TextEmbedding e;
    e.vector = Pool(*hidden, static_cast<int64_t>(ids->size()), encoder.hidden_dim(), pooling);
    if (options.normalize) NormalizeL2(e.vector);
    e.tokens = *std::move(ids);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ttt
