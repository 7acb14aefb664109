#include "core/blocks/embedding/embedding_descriptor.h"

#include "core/specs/proto/embedding.pb.h"
#include "core/specs/validate.h"

namespace ttt {

ModuleDescriptor TokenEmbeddingDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/embedding/token_and_position";
  d.kind = "token_embedding";
  d.summary = "token embedding table (optionally scaled)";
  d.spec_type = spec::TokenEmbeddingSpec::descriptor();
  d.footprint_group = "head and embeddings";
  d.validate = ValidateWith(&ValidateTokenEmbedding);
  d.other_weight_values = [](const google::protobuf::Message& m) {
    const auto& s = static_cast<const spec::TokenEmbeddingSpec&>(m);
    return int64_t{s.vocab_size()} * s.hidden_dim();
  };
  return d;
}

ModuleDescriptor PositionEmbeddingDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/embedding/token_and_position";
  d.kind = "position_embedding";
  d.summary = "learned absolute position embedding table (GPT-2)";
  d.spec_type = spec::PositionEmbeddingSpec::descriptor();
  d.footprint_group = "head and embeddings";
  d.validate = ValidateWith(&ValidatePositionEmbedding);
  d.other_weight_values = [](const google::protobuf::Message& m) {
    const auto& s = static_cast<const spec::PositionEmbeddingSpec&>(m);
    return int64_t{s.max_positions()} * s.hidden_dim();
  };
  return d;
}

}  // namespace ttt
