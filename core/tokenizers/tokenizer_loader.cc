// LoadTokenizer: which loader a path needs, from its name and first bytes.
#include "core/tokenizers/tokenizer_loader.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::tokenizers {
namespace {

namespace fs = std::filesystem;

std::string FirstBytes(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

bool IsFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadFromGgufPath(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> gguf, formats::GgufFile::Open(path));
  return LoadTokenizerFromGguf(*gguf);
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadFromDirectory(const fs::path& dir) {
  if (IsFile(dir / "tokenizer.json")) return LoadHfTokenizerJson((dir / "tokenizer.json").string());
  if (IsFile(dir / "vocab.json") && IsFile(dir / "merges.txt")) {
    return LoadGpt2VocabAndMerges((dir / "vocab.json").string(), (dir / "merges.txt").string());
  }
  if (IsFile(dir / "tokenizer.model")) return LoadSentencePieceModel((dir / "tokenizer.model").string());
  // T5-era models name their SentencePiece model spiece.model.
  if (IsFile(dir / "spiece.model")) return LoadSentencePieceModel((dir / "spiece.model").string());
  return absl::NotFoundError(absl::StrCat(dir.string(),
                                          ": no tokenizer.json, vocab.json + merges.txt, tokenizer.model or "
                                          "spiece.model in this directory; pass the tokenizer file itself"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return LoadFromDirectory(p);
  if (!fs::exists(p, ec)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file or directory"));
  }
  const std::string head = FirstBytes(path, 4);
  const std::string name = p.filename().string();
  if (head == "GGUF" || absl::EndsWith(name, ".gguf")) return LoadFromGgufPath(path);
  if (name == "vocab.json") {
    const fs::path merges = p.parent_path() / "merges.txt";
    if (!IsFile(merges)) {
      return absl::NotFoundError(absl::StrCat(path, ": a vocab.json needs merges.txt beside it (", merges.string(),
                                              " is missing)"));
    }
    return LoadGpt2VocabAndMerges(path, merges.string());
  }
  if (absl::EndsWith(name, ".json") || (!head.empty() && head[0] == '{')) return LoadHfTokenizerJson(path);
  if (absl::EndsWith(name, ".model")) return LoadSentencePieceModel(path);
  if (absl::EndsWith(name, ".bin")) return LoadLlama2cTokenizer(path);
  // No telling name: a SentencePiece model starts with field 1 (pieces), tag byte 0x0A.
  if (!head.empty() && head[0] == '\x0A') return LoadSentencePieceModel(path);
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": cannot tell the tokenizer format from the name or the first bytes; expected a .gguf, "
            "tokenizer.json, vocab.json (+ merges.txt), tokenizer.model or llama2.c tokenizer .bin file"));
}

}  // namespace ttt::tokenizers
