// The tensor names of BERT checkpoints and the encoder's canonical names they map to.
#pragma once

#include <optional>
#include <string>

namespace ttt::formats {

enum class BertNaming { kHf, kGguf };

// What a checkpoint tensor is called in the encoder (core/patterns/encoder/encoder.h): "layers.0.attn.wq",
// "layers.0.attn.wq.bias", "embedding_norm.weight", ... An empty string: a tensor the encoder does not use and
// the converters drop (BertModel's pooler, masked-LM heads, position_ids buffers). nullopt: unknown.
std::optional<std::string> CanonicalBertName(const std::string& name, BertNaming naming);

}  // namespace ttt::formats
