// A fluent way to compose a model spec in C++ instead of text: the pre-norm decoder pattern's pieces, plus
// residual branches of any registered module kind. Sizes the model states once (hidden size, context) are
// filled into every block by validation, as in a text spec.
//
//   auto spec = ModelBuilder("my-model")
//                   .Embedding(/*vocab=*/32000, /*hidden=*/576).Context(2048).Layers(30)
//                   .AttentionNorm(RmsNorm()).Attention(gqa).MlpNorm(RmsNorm()).FeedForward(swiglu)
//                   .Module("scaled_projection", scale_spec, {.name = "gate", .norm = RmsNorm()})
//                   .FinalNorm(RmsNorm()).Head({.tied = true})
//                   .Build();  // a Validated<spec::ModelSpec>, or the first problem with its fix
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt {

// Norm specs; eps unset takes the spec's default (1e-5).
spec::NormSpec RmsNorm(std::optional<float> eps = std::nullopt);
spec::NormSpec LayerNorm(std::optional<float> eps = std::nullopt, bool bias = true);

struct ModuleOptions {
  std::string name;                    // its name in the layer (config key, weights prefix); default: kind
  std::optional<spec::NormSpec> norm;  // applied to the branch input first
};

struct HeadOptions {
  bool tied = false;
  bool bias = false;
};

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string name, std::string family = "custom");

  ModelBuilder& Embedding(uint32_t vocab_size, uint32_t hidden_dim, std::optional<float> scale = std::nullopt);
  ModelBuilder& Context(uint32_t max_seq_len);
  ModelBuilder& Layers(uint32_t count);
  ModelBuilder& AttentionNorm(const spec::NormSpec& norm);
  ModelBuilder& Attention(const spec::AttentionSpec& attention);
  ModelBuilder& MlpNorm(const spec::NormSpec& norm);
  ModelBuilder& FeedForward(const spec::MlpSpec& mlp);
  // A residual branch of module kind `kind` in every layer, after the feed-forward; `spec` is a message of
  // the kind's spec type.
  ModelBuilder& Module(const std::string& kind, const google::protobuf::Message& spec, ModuleOptions options = {});
  ModelBuilder& FinalNorm(const spec::NormSpec& norm);
  ModelBuilder& Head(HeadOptions options = {});

  // The validated spec; the layer modules' kinds must be registered (core/blocks/module_registry.h).
  absl::StatusOr<Validated<spec::ModelSpec>> Build() const;

 private:
  spec::ModelSpec spec_;
  bool has_head_ = false;
};

}  // namespace ttt
