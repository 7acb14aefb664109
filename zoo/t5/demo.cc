// Generates greedily from t5-tiny for a source text, using only the installed library's public headers: the
// source is encoded once, then the decoder runs one token per step. (The weights are random: the output means
// nothing; the demo shows the calls a user makes.) Usage: t5_demo [TEXT] [DEVICE]
#include <iostream>
#include <string>

#include "core/factory/seq2seq_loader.h"
#include "core/generation/seq2seq_generate.h"

int main(int argc, char** argv) {
  ttt::Seq2SeqLoadOptions options;
  if (argc > 2) options.run_as.device = argv[2];
  auto loaded = ttt::LoadSeq2Seq(MODEL_DATA "/hf", options);  // tokenizer.json comes with the folder
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 1;
  }
  const std::string text = argc > 1 ? argv[1] : "translate English to German: The house is wonderful.";
  auto source = loaded->tokenizer->Encode(text, ttt::tokenizers::EncodeOptions{.add_eos = true});
  if (!source.ok()) {
    std::cerr << source.status().message() << "\n";
    return 1;
  }
  auto out = ttt::GreedySeq2Seq(*loaded->model, *source, /*max_new_tokens=*/16);
  if (!out.ok()) {
    std::cerr << out.status().message() << "\n";
    return 1;
  }
  std::cout << text << "\n -> " << loaded->tokenizer->Decode(*out) << "\n";
  return 0;
}
