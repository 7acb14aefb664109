// What POST /v1/embeddings asks of a model: one vector per input text. Decoder-only models have none (the
// server answers OpenAI's 400 "not an encoder"); an encoder (BERT-style) model plugs in here.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt::serve {

struct Embeddings {
  std::vector<std::vector<float>> vectors;  // one per input, in order
  int64_t prompt_tokens = 0;                // tokens read, for the usage field
};

class EmbeddingBackend {
 public:
  virtual ~EmbeddingBackend() = default;
  // InvalidArgument for an input the model refuses (too long, empty): the client's 400.
  virtual absl::StatusOr<Embeddings> Embed(const std::vector<std::string>& inputs) = 0;
};

}  // namespace ttt::serve
