// Embeds a few texts with bert-tiny and prints their cosine similarities, using only the installed library's
// public headers. (The weights are random: the similarities mean nothing; the demo shows the calls a user makes.)
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "core/factory/encoder_loader.h"
#include "core/generation/embed.h"

int main(int argc, char** argv) {
  auto loaded = ttt::LoadEncoder(MODEL_DATA "/model-f32.gguf");  // the GGUF carries its WordPiece vocabulary
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> texts = {"the quick brown fox", "a lazy dog", "hello world"};
  for (int i = 1; i < argc; ++i) texts.push_back(argv[i]);
  ttt::EmbedOptions options;
  options.normalize = true;  // unit vectors: a dot product is the cosine
  auto embeddings = ttt::Embed(*loaded->encoder, *loaded->tokenizer, texts, options);
  if (!embeddings.ok()) {
    std::cerr << embeddings.status().message() << "\n";
    return 1;
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    for (size_t j = i + 1; j < texts.size(); ++j) {
      double dot = 0;
      for (size_t k = 0; k < (*embeddings)[i].vector.size(); ++k) dot += (*embeddings)[i].vector[k] * (*embeddings)[j].vector[k];
      std::cout << "cos(\"" << texts[i] << "\", \"" << texts[j] << "\") = " << dot << "\n";
    }
  }
  return 0;
}
