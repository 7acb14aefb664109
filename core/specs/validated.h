// A spec that passed its validator (core/specs/validate.h): derived values filled in (head_dim, num_kv_heads,
// the sub-specs' sizes from the model's), every invariant checked. Only the validators make one, so code
// that takes a Validated<S> neither re-checks nor re-derives anything: a model spec is validated once per
// load, and the sizes below are the only place q_dim and kv_dim are computed.
//
// A Validated<S> is a cheap shared handle: parts of a validated spec (the model's attention spec, a layer
// module's spec) are views into the same memory, and stay valid as long as any handle does.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "core/specs/proto/encoder.pb.h"
#include "core/specs/layer_groups.h"
#include "core/specs/proto/model.pb.h"
#include "google/protobuf/message.h"

namespace ttt {

template <class S>
class Validated;

// What a validated spec of type S derives beyond its fields. Empty unless specialised below.
template <class S>
struct ValidatedSizes {};

template <>
struct ValidatedSizes<spec::AttentionSpec> {
  int64_t num_heads() const;
  int64_t num_kv_heads() const;  // never 0: defaults to num_heads
  int64_t head_dim() const;      // never 0: defaults to hidden_dim / num_heads
  int64_t q_dim() const { return num_heads() * head_dim(); }
  int64_t kv_dim() const { return num_kv_heads() * head_dim(); }
  int64_t group_size() const { return num_heads() / num_kv_heads(); }  // query heads per KV head
};

template <>
struct ValidatedSizes<spec::DecoderLayerSpec> {
  Validated<spec::AttentionSpec> attention() const;
  Validated<spec::MlpSpec> mlp() const;  // a dense feed-forward's (meaningless when moe() is set)
  std::optional<Validated<spec::MoeSpec>> moe() const;  // a mixture-of-experts feed-forward's
  Validated<spec::NormSpec> attention_norm() const;
  Validated<spec::NormSpec> mlp_norm() const;
  // A branch's post-norm (applied to its output before the residual add; Gemma 2), when the layer has one.
  std::optional<Validated<spec::NormSpec>> attention_post_norm() const;
  std::optional<Validated<spec::NormSpec>> mlp_post_norm() const;
};

template <>
struct ValidatedSizes<spec::ModelSpec> {
  // Layer i's spec: that of the layer_groups entry selecting it, else ModelSpec.layer.
  Validated<spec::DecoderLayerSpec> layer(uint32_t i) const;
  // ModelSpec.layer's parts (the layers no group selects). Its attention's head counts and head_dim are every
  // layer's (validation checks it), so code that sizes the KV cache or splits heads may use attention().
  Validated<spec::DecoderLayerSpec> base_layer() const;
  Validated<spec::AttentionSpec> attention() const;
  Validated<spec::MlpSpec> mlp() const;
  std::optional<Validated<spec::MoeSpec>> moe() const;
  Validated<spec::NormSpec> attention_norm() const;
  Validated<spec::NormSpec> mlp_norm() const;
  std::optional<Validated<spec::NormSpec>> attention_post_norm() const;
  std::optional<Validated<spec::NormSpec>> mlp_post_norm() const;
  // The model's own parts.
  Validated<spec::TokenEmbeddingSpec> token_embedding() const;
  std::optional<Validated<spec::PositionEmbeddingSpec>> position_embedding() const;  // learned positions only
  Validated<spec::NormSpec> final_norm() const;
  Validated<spec::LmHeadSpec> lm_head() const;
};

template <>
struct ValidatedSizes<spec::EncoderSpec> {
  // Every layer's parts, and the embeddings'.
  Validated<spec::TokenEmbeddingSpec> token_embedding() const;
  Validated<spec::PositionEmbeddingSpec> position_embedding() const;
  Validated<spec::NormSpec> embedding_norm() const;
  Validated<spec::AttentionSpec> attention() const;
  Validated<spec::NormSpec> attention_norm() const;
  Validated<spec::MlpSpec> mlp() const;
  Validated<spec::NormSpec> mlp_norm() const;
};

template <>
struct ValidatedSizes<google::protobuf::Message> {
  // The same spec as its concrete type; nullopt when it is of another type.
  template <class S>
  std::optional<Validated<S>> As() const;
};

template <class S>
class Validated : public ValidatedSizes<S> {
 public:
  const S& spec() const { return *spec_; }
  const S& operator*() const { return *spec_; }
  const S* operator->() const { return spec_.get(); }
  // Any validated spec is a validated message (what module descriptors are given).
  operator Validated<google::protobuf::Message>() const;  // NOLINT: a widening, always valid

 private:
  template <class>
  friend class Validated;
  template <class>
  friend struct ValidatedSizes;
  friend struct SpecValidator;  // core/specs/validate.cc, the only maker

  explicit Validated(std::shared_ptr<const S> spec) : spec_(std::move(spec)) {}
  // A part of `whole` (a field of it), sharing its ownership.
  template <class W>
  Validated(const Validated<W>& whole, const S& part) : spec_(whole.spec_, &part) {}

  std::shared_ptr<const S> spec_;
};

template <class S>
Validated<S>::operator Validated<google::protobuf::Message>() const {
  return Validated<google::protobuf::Message>(*this, static_cast<const google::protobuf::Message&>(*spec_));
}

inline int64_t ValidatedSizes<spec::AttentionSpec>::num_heads() const {
  return static_cast<const Validated<spec::AttentionSpec>&>(*this)->num_heads();
}
inline int64_t ValidatedSizes<spec::AttentionSpec>::num_kv_heads() const {
  return static_cast<const Validated<spec::AttentionSpec>&>(*this)->num_kv_heads();
}
inline int64_t ValidatedSizes<spec::AttentionSpec>::head_dim() const {
  return static_cast<const Validated<spec::AttentionSpec>&>(*this)->head_dim();
}

#define TTT_VALIDATED_PART(Whole, Type, name, expr)                     \
  inline Validated<spec::Type> ValidatedSizes<spec::Whole>::name() const { \
    const auto& whole = static_cast<const Validated<spec::Whole>&>(*this); \
    return Validated<spec::Type>(whole, whole->expr);                     \
  }
TTT_VALIDATED_PART(DecoderLayerSpec, AttentionSpec, attention, attention())
TTT_VALIDATED_PART(DecoderLayerSpec, MlpSpec, mlp, mlp())
TTT_VALIDATED_PART(DecoderLayerSpec, NormSpec, attention_norm, attention_norm())
TTT_VALIDATED_PART(DecoderLayerSpec, NormSpec, mlp_norm, mlp_norm())
TTT_VALIDATED_PART(ModelSpec, DecoderLayerSpec, base_layer, layer())
TTT_VALIDATED_PART(ModelSpec, TokenEmbeddingSpec, token_embedding, token_embedding())
TTT_VALIDATED_PART(ModelSpec, NormSpec, final_norm, final_norm())
TTT_VALIDATED_PART(ModelSpec, LmHeadSpec, lm_head, lm_head())
#undef TTT_VALIDATED_PART

inline Validated<spec::DecoderLayerSpec> ValidatedSizes<spec::ModelSpec>::layer(uint32_t i) const {
  const auto& whole = static_cast<const Validated<spec::ModelSpec>&>(*this);
  return Validated<spec::DecoderLayerSpec>(whole, LayerSpecOf(*whole, i));
}

#define TTT_VALIDATED_OPTIONAL_PART(Type, name)                                                              \
  inline std::optional<Validated<spec::Type>> ValidatedSizes<spec::DecoderLayerSpec>::name() const {         \
    const auto& whole = static_cast<const Validated<spec::DecoderLayerSpec>&>(*this);                       \
    if (!whole->has_##name()) return std::nullopt;                                                            \
    return Validated<spec::Type>(whole, whole->name());                                                       \
  }
TTT_VALIDATED_OPTIONAL_PART(MoeSpec, moe)
TTT_VALIDATED_OPTIONAL_PART(NormSpec, attention_post_norm)
TTT_VALIDATED_OPTIONAL_PART(NormSpec, mlp_post_norm)
#undef TTT_VALIDATED_OPTIONAL_PART

// ModelSpec.layer's parts.
inline Validated<spec::AttentionSpec> ValidatedSizes<spec::ModelSpec>::attention() const { return base_layer().attention(); }
inline Validated<spec::MlpSpec> ValidatedSizes<spec::ModelSpec>::mlp() const { return base_layer().mlp(); }
inline std::optional<Validated<spec::MoeSpec>> ValidatedSizes<spec::ModelSpec>::moe() const { return base_layer().moe(); }
inline Validated<spec::NormSpec> ValidatedSizes<spec::ModelSpec>::attention_norm() const {
  return base_layer().attention_norm();
}
inline Validated<spec::NormSpec> ValidatedSizes<spec::ModelSpec>::mlp_norm() const { return base_layer().mlp_norm(); }
inline std::optional<Validated<spec::NormSpec>> ValidatedSizes<spec::ModelSpec>::attention_post_norm() const {
  return base_layer().attention_post_norm();
}
inline std::optional<Validated<spec::NormSpec>> ValidatedSizes<spec::ModelSpec>::mlp_post_norm() const {
  return base_layer().mlp_post_norm();
}

#define TTT_VALIDATED_ENCODER_PART(Type, name)                                    \
  inline Validated<spec::Type> ValidatedSizes<spec::EncoderSpec>::name() const {   \
    const auto& whole = static_cast<const Validated<spec::EncoderSpec>&>(*this);   \
    return Validated<spec::Type>(whole, whole->name());                            \
  }
TTT_VALIDATED_ENCODER_PART(TokenEmbeddingSpec, token_embedding)
TTT_VALIDATED_ENCODER_PART(PositionEmbeddingSpec, position_embedding)
TTT_VALIDATED_ENCODER_PART(NormSpec, embedding_norm)
TTT_VALIDATED_ENCODER_PART(AttentionSpec, attention)
TTT_VALIDATED_ENCODER_PART(NormSpec, attention_norm)
TTT_VALIDATED_ENCODER_PART(MlpSpec, mlp)
TTT_VALIDATED_ENCODER_PART(NormSpec, mlp_norm)
#undef TTT_VALIDATED_ENCODER_PART

inline std::optional<Validated<spec::PositionEmbeddingSpec>> ValidatedSizes<spec::ModelSpec>::position_embedding()
    const {
  const auto& whole = static_cast<const Validated<spec::ModelSpec>&>(*this);
  if (!whole->learned_positions()) return std::nullopt;
  return Validated<spec::PositionEmbeddingSpec>(whole, whole->position_embedding());
}

template <class S>
std::optional<Validated<S>> ValidatedSizes<google::protobuf::Message>::As() const {
  const auto& whole = static_cast<const Validated<google::protobuf::Message>&>(*this);
  const S* typed = dynamic_cast<const S*>(&*whole);
  if (typed == nullptr) return std::nullopt;
  return Validated<S>(whole, *typed);
}

}  // namespace ttt
