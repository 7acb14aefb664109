// Prints the greedy continuation of a prompt with mpt-alibi-tiny, using only the installed library's public
// headers. (The weights are random: the text is not meant to read well; the demo shows the calls a user makes,
// registering the contrib block the model's spec names before loading it.)
#include <iostream>

#include "contrib/positional/alibi/alibi.h"
#include "core/factory/model_loader.h"
#include "core/generation/generate.h"

int main(int argc, char** argv) {
  if (absl::Status s = ttt::contrib::RegisterAlibi(); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  auto loaded = ttt::LoadModel(MODEL_DATA "/hf");
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
