// What Gemma 2 adds to a Llama-shaped model spec, shared by the Hugging Face (formats/hf) and GGUF
// (formats/gguf) readers, which differ only in where they find these numbers and how the norms are stored.
#pragma once

#include <cstdint>

#include "core/specs/proto/model.pb.h"

namespace ttt::formats {

struct Gemma2Settings {
  double attn_softcap = 50;   // attn_logit_softcapping (0: none)
  double final_softcap = 30;  // final_logit_softcapping (0: none)
  uint32_t sliding_window = 4096;  // on the even layers; the odd ones see the whole past
  double query_scalar = 256;  // scores are scaled by query_scalar^-1/2
};

// On `s`, filled in as a Llama-family spec with its norms as the file stores them: soft-capped scores and
// logits, the window on every other layer, post-norms on both branches (copies of the attention norm), the
// tanh-GELU GeGLU, embeddings scaled by sqrt(hidden).
void ApplyGemma2(const Gemma2Settings& settings, spec::ModelSpec* s);

}  // namespace ttt::formats
