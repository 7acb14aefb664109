// The tensor names of T5 checkpoints (Hugging Face T5ForConditionalGeneration, llama.cpp's GGUF arch t5) and the
// encoder-decoder pattern's canonical names they map to (core/patterns/seq2seq/seq2seq_lm.h).
#pragma once

#include <optional>
#include <string>

namespace ttt::formats {

enum class T5Naming { kHf, kGguf };

// "encoder.block.1.layer.0.SelfAttention.q.weight" -> "encoder.layers.1.attn.wq"; "" for a tensor the model
// does not use and the converters keep or drop (the cross-attention's relative bias, which T5 never reads;
// copies of the shared embedding); nullopt: unknown (another architecture, or a relative bias outside a stack's
// first layer, as UMT5 has).
std::optional<std::string> CanonicalT5Name(const std::string& name, T5Naming naming);

}  // namespace ttt::formats
