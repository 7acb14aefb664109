#include "core/specs/seq2seq_validate.h"

#include <cmath>
#include <memory>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/runtime/checked_size.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem, absl::string_view fix) {
  return absl::InvalidArgumentError(absl::StrCat("Seq2SeqSpec.", field, " ", problem, ": ", fix));
}

absl::Status Positive(absl::string_view field, uint64_t value, int64_t limit, absl::string_view fix) {
  if (value == 0) return Invalid(field, "is 0", fix);
  if (value > static_cast<uint64_t>(limit)) {
    return Invalid(field, absl::StrCat("is ", value, ", more than the ", limit, " this library supports"),
                   "the model file is corrupt or claims an impossible size");
  }
  return absl::OkStatus();
}

absl::Status CheckSeq2Seq(spec::Seq2SeqSpec& s) {
  TTT_RETURN_IF_ERROR(Positive("vocab_size", s.vocab_size(), kMaxVocabSize, "set the vocabulary size"));
  TTT_RETURN_IF_ERROR(Positive("hidden_dim", s.hidden_dim(), 1 << 16, "set d_model"));
  TTT_RETURN_IF_ERROR(Positive("num_heads", s.num_heads(), 1 << 10, "set num_heads"));
  TTT_RETURN_IF_ERROR(Positive("head_dim", s.head_dim(), 1 << 12, "set d_kv (T5: 64)"));
  TTT_RETURN_IF_ERROR(Positive("encoder_layers", s.encoder_layers(), 1 << 10, "set num_layers"));
  TTT_RETURN_IF_ERROR(Positive("decoder_layers", s.decoder_layers(), 1 << 10, "set num_decoder_layers"));
  if (!(s.norm_eps() > 0) || !std::isfinite(s.norm_eps())) {
    return Invalid("norm_eps", absl::StrCat("is ", s.norm_eps()), "use layer_norm_epsilon (T5: 1e-6)");
  }
  if (s.mlp().hidden_dim() != 0 && s.mlp().hidden_dim() != s.hidden_dim()) {
    return Invalid("mlp.hidden_dim", absl::StrCat("is ", s.mlp().hidden_dim(), " but hidden_dim is ", s.hidden_dim()),
                   "leave it unset; it is the model's");
  }
  s.mutable_mlp()->set_hidden_dim(s.hidden_dim());
  if (s.mlp().bias()) return Invalid("mlp.bias", "is set", "T5's feed-forward has no biases");
  absl::StatusOr<Validated<spec::MlpSpec>> mlp = ValidateMlp(s.mlp());
  if (!mlp.ok()) return Annotate(mlp.status(), "Seq2SeqSpec.mlp");
  for (auto [bias, bidirectional, name] : {std::tuple{s.mutable_encoder_bias(), true, "encoder_bias"},
                                          std::tuple{s.mutable_decoder_bias(), false, "decoder_bias"}}) {
    if (bias->num_heads() != 0 && bias->num_heads() != s.num_heads()) {
      return Invalid(absl::StrCat(name, ".num_heads"), absl::StrCat("is ", bias->num_heads(), " for ", s.num_heads(),
                                                                   " heads"), "leave it unset; it is the model's");
    }
    bias->set_num_heads(s.num_heads());
    bias->set_bidirectional(bidirectional);
    TTT_RETURN_IF_ERROR(CheckRelativePositionBias(*bias, name));
  }
  if (s.decoder_start_token_id() < 0 || s.decoder_start_token_id() >= static_cast<int64_t>(s.vocab_size())) {
    return Invalid("decoder_start_token_id", absl::StrCat("is ", s.decoder_start_token_id(), ", outside the vocabulary"),
                   "T5 starts the decoder from the pad id, 0");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRelativePositionBias(const spec::RelativePositionBiasSpec& b, const char* where) {
  const uint32_t per_direction = b.bidirectional() ? b.num_buckets() / 2 : b.num_buckets();
  const uint32_t exact = per_direction / 2;
  if (b.num_heads() == 0) return Invalid(absl::StrCat(where, ".num_heads"), "is 0", "set the number of heads");
  if (b.num_buckets() > (1u << 16) || exact < 1) {
    return Invalid(absl::StrCat(where, ".num_buckets"), absl::StrCat("is ", b.num_buckets()),
                   b.bidirectional() ? "use at least 4 (T5: 32)" : "use at least 2 (T5: 32)");
  }
  if (b.max_distance() <= exact) {
    return Invalid(absl::StrCat(where, ".max_distance"),
                   absl::StrCat("is ", b.max_distance(), ", not above the ", exact, " exactly-bucketed distances"),
                   "use relative_attention_max_distance (T5: 128)");
  }
  return absl::OkStatus();
}

absl::StatusOr<Validated<spec::Seq2SeqSpec>> ValidateSeq2Seq(spec::Seq2SeqSpec spec) {
  auto message = std::make_unique<spec::Seq2SeqSpec>(std::move(spec));
  TTT_ASSIGN_OR_RETURN(Validated<google::protobuf::Message> v,
                       ValidateModuleSpec(std::move(message), [](google::protobuf::Message& m) {
                         return CheckSeq2Seq(static_cast<spec::Seq2SeqSpec&>(m));
                       }));
  std::optional<Validated<spec::Seq2SeqSpec>> typed = v.As<spec::Seq2SeqSpec>();
  if (!typed.has_value()) return absl::InternalError("ValidateSeq2Seq: the validated spec changed type");
  return *std::move(typed);
}

}  // namespace ttt
