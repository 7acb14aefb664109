// Text embeddings from an encoder: tokenize each text as the model's own tooling does ([CLS] ... [SEP] for
// BERT), run the encoder, pool the token states into one vector (mean, first token, last token) and,
// when asked, scale it to unit length. The pooling and the normalisation are llama.cpp's
// (LLAMA_POOLING_TYPE_MEAN/CLS/LAST; its embedding example's L2 normalisation), so vectors compare directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/patterns/encoder/encoder.h"
#include "core/specs/proto/encoder.pb.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt {

struct EmbedOptions {
  // POOLING_UNSPECIFIED: the model's own (EncoderSpec.default_pooling: sentence-transformers' config, GGUF
  // pooling_type, else MEAN).
  spec::Pooling pooling = spec::POOLING_UNSPECIFIED;
  // Scale each vector to unit L2 length (what cosine-similarity search and OpenAI's /v1/embeddings return).
  bool normalize = false;
  // Texts longer than the model's position table: cut to max_positions tokens (keeping the final [SEP]) when
  // true; an InvalidArgument naming the text when false.
  bool truncate = false;
};

struct TextEmbedding {
  std::vector<float> vector;    // [hidden]
  std::vector<int32_t> tokens;  // what the encoder saw, specials included
};

// One embedding per text, in order. Errors name the text's index: a text the tokenizer refuses, one too long
// (see EmbedOptions::truncate), an empty batch is fine (no embeddings).
absl::StatusOr<std::vector<TextEmbedding>> Embed(const Encoder& encoder, const tokenizers::Tokenizer& tokenizer,
                                                 absl::Span<const std::string> texts, const EmbedOptions& options = {});

// Pools hidden states [tokens, dim] into one [dim] vector. `pooling` must be MEAN, CLS or LAST.
std::vector<float> Pool(absl::Span<const float> hidden, int64_t tokens, int64_t dim, spec::Pooling pooling);
// Scales `v` to unit L2 length in place (a zero vector stays zero).
void NormalizeL2(std::vector<float>& v);

// "mean", "cls", "last" -> the enum; InvalidArgument naming the choices otherwise.
absl::StatusOr<spec::Pooling> ParsePooling(const std::string& name);
std::string PoolingName(spec::Pooling pooling);

}  // namespace ttt
