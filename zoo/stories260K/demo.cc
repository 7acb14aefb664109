// Tells a story with stories260K, using only the installed library's public headers.
#include <iostream>

#include "core/factory/model_loader.h"
#include "core/generation/generate.h"

int main(int argc, char** argv) {
  auto loaded = ttt::LoadModel(STORIES260K_DATA "/stories260K.bin", STORIES260K_DATA "/tok512.bin");
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 1;
  }
  ttt::GenerationOptions options;
  options.max_new_tokens = 200;
  options.sampling.temperature = argc > 1 ? std::stof(argv[1]) : 0.0f;
  auto result = ttt::Generate(*loaded->model, *loaded->tokenizer, {argc > 2 ? argv[2] : ""}, options,
                              [](size_t, std::string_view text) {
                                std::cout << text << std::flush;
                                return true;
                              });
  std::cout << "\n";
  return result.ok() ? 0 : 1;
}
