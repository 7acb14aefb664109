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

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/blocks/module_registry.h"
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
  ModelBuilder& FeedForward(const spec::MoeSpec& moe);  // a mixture of experts instead of a dense MLP
  // A residual branch of module kind `kind` in every layer, after the feed-forward; `spec` is a message of
  // the kind's spec type.
  ModelBuilder& Module(const std::string& kind, const google::protobuf::Message& spec, ModuleOptions options = {});
  // The same with a module kind of the user's own (a descriptor whose `create` builds their LayerBlock
  // subclass), kept in this model's table of kinds instead of the process-wide one: nothing is registered.
  // Pass kinds() to CausalLm::Create (BuildOptions::kinds) with the built spec.
  ModelBuilder& Module(ModuleDescriptor own_kind, const google::protobuf::Message& spec, ModuleOptions options = {});
  ModelBuilder& FinalNorm(const spec::NormSpec& norm);
  ModelBuilder& Head(HeadOptions options = {});

  // The validated spec; the layer modules' kinds must be registered (core/blocks/module_registry.h) or
  // given to Module as descriptors.
  absl::StatusOr<Validated<spec::ModelSpec>> Build() const;
  // The kinds the spec's modules are found in: the model's own over the global table.
  std::shared_ptr<const ModuleRegistry> kinds() const { return kinds_; }

 private:
  spec::ModelSpec spec_;
  bool has_head_ = false;
  std::shared_ptr<ModuleRegistry> kinds_ = std::make_shared<ModuleRegistry>(&ModuleRegistry::Global());
  absl::Status own_kind_error_;  // the first refused own kind, reported by Build
};

}  // namespace ttt
