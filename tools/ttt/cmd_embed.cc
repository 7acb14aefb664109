// ttt embed: the embedding vectors of texts from an encoder (a BERT-style Hugging Face folder or GGUF),
// printed one line per text as llama.cpp's llama-embedding prints them, or written to a file.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/factory/encoder_loader.h"
#include "core/generation/embed.h"
#include "core/hwconfig/resolve.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"
#include "tools/ttt/command.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

// --text (any number of times) and --file (one text per non-empty line).
absl::StatusOr<std::vector<std::string>> ReadTexts(const Args& args) {
  std::vector<std::string> texts = args.GetAll("text");
  if (args.Has("file")) {
    const std::string path = args.Get("file");
    std::ifstream in(path);
    if (!in) return absl::NotFoundError(absl::StrCat("--file ", path, ": cannot open it for reading"));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) texts.push_back(line);
    }
  }
  if (texts.empty()) return absl::InvalidArgumentError("give at least one --text TEXT (or --file FILE, a text per line)");
  return texts;
}

// FILE.json: the texts, their tokens and vectors; any other name: raw little-endian float32 [texts, hidden].
// Written to a temporary name and renamed, so a failed write leaves no partial file.
absl::Status WriteOut(const std::string& path, const std::vector<std::string>& texts,
                      const std::vector<TextEmbedding>& embeddings, const std::string& model, spec::Pooling pooling,
                      bool normalized) {
  std::string contents;
  if (absl::EndsWith(path, ".json")) {
    nlohmann::json j = {{"model", model}, {"pooling", PoolingName(pooling)}, {"normalized", normalized}};
    j["data"] = nlohmann::json::array();
    for (size_t i = 0; i < embeddings.size(); ++i) {
      j["data"].push_back({{"index", i}, {"text", texts[i]}, {"tokens", embeddings[i].tokens},
                           {"embedding", embeddings[i].vector}});
    }
    contents = j.dump(1) + "\n";
  } else {
    for (const TextEmbedding& e : embeddings) {
      contents.append(reinterpret_cast<const char*>(e.vector.data()), e.vector.size() * sizeof(float));
    }
  }
  absl::Status s = WriteFileAtomically(path, contents);
  return s.ok() ? s : Annotate(s, absl::StrCat("--out ", path));
}

absl::Status RunEmbed(const Args& args) {
  const std::string model = args.Get("model");
  if (model.empty()) return absl::InvalidArgumentError("--model PATH is required (a BERT Hugging Face folder or .gguf)");
  TTT_ASSIGN_OR_RETURN(std::vector<std::string> texts, ReadTexts(args));
  EmbedOptions options;
  if (args.Has("pooling")) {
    TTT_ASSIGN_OR_RETURN(options.pooling, ParsePooling(args.Get("pooling")));
  }
  options.normalize = args.Has("normalize");
  options.truncate = args.Has("truncate");
  EncoderLoadOptions load;
  load.tokenizer_path = args.Get("tokenizer");
  TTT_ASSIGN_OR_RETURN(load.run_as, DeviceOptionsFromArgs(args));
  const std::string out_path = args.Get("out");

  TTT_ASSIGN_OR_RETURN(LoadedEncoder loaded, LoadEncoder(model, load));
  TTT_ASSIGN_OR_RETURN(std::vector<TextEmbedding> embeddings,
                       Embed(*loaded.encoder, *loaded.tokenizer, texts, options));
  const spec::Pooling pooling =
      options.pooling == spec::POOLING_UNSPECIFIED ? loaded.encoder->spec().default_pooling() : options.pooling;
  if (!out_path.empty()) {
    TTT_RETURN_IF_ERROR(WriteOut(out_path, texts, embeddings, loaded.source, pooling, options.normalize));
    std::cerr << "wrote " << embeddings.size() << " x " << loaded.encoder->hidden_dim() << " (" << PoolingName(pooling)
              << (options.normalize ? ", normalized" : "") << ") to " << out_path << "\n";
    return absl::OkStatus();
  }
  for (size_t i = 0; i < embeddings.size(); ++i) {
    std::string line = absl::StrCat("embedding ", i, ":");
    for (float v : embeddings[i].vector) absl::StrAppend(&line, absl::StrFormat(" %9.6f", v));
    std::cout << line << "\n";
  }
  return absl::OkStatus();
}

TTT_COMMAND({"embed", "embedding vectors of texts from an encoder (BERT-style HF folder or GGUF)",
             {{"-m,--model", "a BERT-style Hugging Face folder or GGUF (required)", ""},
              {"--tokenizer", "tokenizer file when the model has none", ""},
              {"--text", "a text to embed (repeatable)", "", FlagKind::kList},
              {"-f,--file", "texts to embed, one per non-empty line", ""},
              {"--pooling", "mean, cls or last (default: the model's own, else mean)", ""},
              {"--normalize", "scale each vector to unit L2 length", "", FlagKind::kSwitch},
              {"--truncate", "cut texts longer than the model's positions", "", FlagKind::kSwitch},
              {"--device", "run as this device does (cpu, n150, n300, p150, t3k, tg)", "cpu"},
              {"--mode", "performance or accuracy: which of the device's module defaults", "accuracy"},
              {"--hw-config", "a ttt.hw.ModelHwConfig text file: module defaults (attention, mlp) and layer "
                              "overrides over the device's (its device/mode apply unless the flags are given)", ""},
              {"--weights", "store the attention and MLP projections as f32, bf16, int8, bfp8 or bfp4 "
                            "(default: the device's)", ""},
              {"--out", "FILE.json: texts, tokens and vectors as JSON; another name: raw float32 [texts, hidden]; "
                        "default: 'embedding N: v0 v1 ...' lines as llama-embedding prints", ""}},
             RunEmbed});

}  // namespace
}  // namespace ttt::cli
