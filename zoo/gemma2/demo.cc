// Prints the greedy continuation of a prompt with gemma2-tiny, using only the installed library's public headers.
// (The weights are random: the text is not meant to read well; the demo shows the calls a user makes.)
#include <iostream>

#include "core/factory/model_loader.h"
#include "core/generation/generate.h"

int main(int argc, char** argv) {
  auto loaded = ttt::LoadModel(MODEL_DATA "/model-f32.gguf");  // the GGUF carries its tokenizer
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 1;
  }
  ttt::GenerationOptions options;
  options.max_new_tokens = 20;
  auto result = ttt::Generate(*loaded->model, *loaded->tokenizer, {argc > 1 ? argv[1] : "Hello"}, options);
  if (!result.ok()) {
    std::cerr << result.status().message() << "\n";
    return 1;
  }
  std::cout << result->front().text << "\n";
  return 0;
}
