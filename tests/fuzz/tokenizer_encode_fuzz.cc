// Encode and Decode on arbitrary bytes (valid UTF-8 or not) with the fixtures' tokenizers, one of each kind:
// llama2.c, SentencePiece BPE with byte fallback, GPT-2 byte-level BPE, WordPiece and Unigram. The input's
// first byte picks the tokenizer and the options. Byte-level BPE promises decode(encode(x)) == x for any
// bytes, and so does SentencePiece with byte fallback for valid UTF-8 without leading, doubled or trailing
// spaces and without characters its normalizer rewrites (checked on printable ASCII).
#include <memory>
#include <vector>

#include "core/formats/gguf/gguf_file.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using ttt::tokenizers::Tokenizer;

struct Loaded {
  std::unique_ptr<Tokenizer> tokenizer;
  enum Promise { kNone, kAnyBytes, kPlainAscii } round_trip;
};

std::vector<Loaded> LoadAll() {
  const std::string fixtures = TTT_FIXTURES_DIR;
  auto must = [](auto loaded, const std::string& what) {
    if (!loaded.ok()) {
      std::fprintf(stderr, "cannot load %s: %s\n", what.c_str(), std::string(loaded.status().message()).c_str());
      std::abort();
    }
    return *std::move(loaded);
  };
  std::vector<Loaded> all;
  all.push_back({must(ttt::tokenizers::LoadLlama2cTokenizer(fixtures + "/stories260K/tok512.bin"), "tok512.bin"),
                 Loaded::kNone});
  all.push_back({must(ttt::tokenizers::LoadSentencePieceModel(fixtures + "/tokenizers/llama2-hf/tokenizer.model"),
                      "llama2 tokenizer.model"),
                 Loaded::kPlainAscii});
  all.push_back({must(ttt::tokenizers::LoadHfTokenizerJson(fixtures + "/gpt2-tiny/hf/tokenizer.json"), "gpt2"),
                 Loaded::kAnyBytes});
  all.push_back({must(ttt::tokenizers::LoadHfTokenizerJson(fixtures + "/bert-tiny/hf/tokenizer.json"), "bert"),
                 Loaded::kNone});
  auto t5 = must(ttt::formats::GgufFile::Open(fixtures + "/tokenizers/unigram/botchan-t5-unigram.gguf"), "t5");
  all.push_back({must(ttt::tokenizers::LoadTokenizerFromGguf(*t5), "t5 unigram"), Loaded::kNone});
  return all;
}

// Printable ASCII, no space at either end and no two in a row: SentencePiece's dummy prefix and its
// whitespace handling are the only rewrites such a text meets.
bool PlainAscii(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < 0x21 && !(s[i] == ' ' && s[i - 1] != ' ')) return false;
    if (s[i] > 0x7e) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Loaded> all = LoadAll();
  if (size == 0) return 0;
  const Loaded& loaded = all[data[0] % all.size()];
  const uint8_t flags = data[0] / all.size();
  const std::string_view text = ttt::fuzz::Bytes(data + 1, size - 1);
  const Tokenizer& t = *loaded.tokenizer;
  const ttt::tokenizers::EncodeOptions options{.add_bos = (flags & 1) != 0, .add_eos = (flags & 2) != 0,
                                               .parse_special = (flags & 4) != 0};
  auto ids = t.Encode(text, options);
  if (!ids.ok()) return 0;
  for (int32_t id : *ids) TTT_FUZZ_CHECK(id >= 0 && id < t.vocab_size());
  const std::string decoded = t.Decode(*ids);
  const bool plain = !options.add_bos && !options.add_eos && !options.parse_special;
  if (plain && (loaded.round_trip == Loaded::kAnyBytes ||
                (loaded.round_trip == Loaded::kPlainAscii && PlainAscii(text)))) {
    if (decoded != text) {
      std::fprintf(stderr, "round trip: %zu bytes in, %zu out\n", text.size(), decoded.size());
      TTT_FUZZ_CHECK(decoded == text);
    }
  }
  return 0;
}
