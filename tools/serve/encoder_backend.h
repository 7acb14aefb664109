// /v1/embeddings from a BERT-style encoder (core/generation/embed.h): unit-length vectors, as OpenAI's are,
// pooled as the model says. `ttt serve --embedding-model PATH` serves one beside the decoder.
#pragma once

#include <utility>

#include "core/factory/encoder_loader.h"
#include "core/generation/embed.h"
#include "tools/serve/embedding_backend.h"

namespace ttt::serve {

class EncoderBackend : public EmbeddingBackend {
 public:
  explicit EncoderBackend(LoadedEncoder encoder) : encoder_(std::move(encoder)) {}

  // Embed is safe to call concurrently on one encoder, so HTTP threads call it directly.
  absl::StatusOr<Embeddings> Embed(const std::vector<std::string>& inputs) override {
    auto embedded = ttt::Embed(*encoder_.encoder, *encoder_.tokenizer, inputs, EmbedOptions{.normalize = true});
    if (!embedded.ok()) return embedded.status();
    Embeddings out;
    for (TextEmbedding& e : *embedded) {
      out.prompt_tokens += static_cast<int64_t>(e.tokens.size());
      out.vectors.push_back(std::move(e.vector));
    }
    return out;
  }

 private:
  LoadedEncoder encoder_;
};

}  // namespace ttt::serve
