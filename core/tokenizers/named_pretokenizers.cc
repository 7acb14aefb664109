#include "core/tokenizers/named_pretokenizers.h"

#include <algorithm>

namespace ttt::tokenizers {
namespace {

// The regexes, as the families' tokenizer.json files spell them (non-ASCII characters as \x{...}).
constexpr char kLlama3[] =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|)"
    R"( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2's is Llama 3's with single digits.
constexpr char kQwen2[] =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|)"
    R"( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr char kTekken[] =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|)"
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|)"
    R"(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// DeepSeek LLM's letters: Latin, Greek, Cyrillic, Armenian, Georgian, Cherokee and other cased scripts.
constexpr char kDeepSeekLetters[] =
    R"(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293}\x{295}-\x{2AF})"
    R"(\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1})"
    R"(\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5})"
    R"(\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A})"
    R"(\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B})"
    R"(\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC})"
    R"(\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107})"
    R"(\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134})"
    R"(\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4})"
    R"(\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787})"
    R"(\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A})"
    R"(\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2})"
    R"(\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+)";
// DeepSeek's CJK rule (its second range, U+0800-U+4E00, is as wide as the model's file has it).
constexpr char kDeepSeekCjk[] = R"([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";
constexpr char kDeepSeekV3[] =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|)"
    R"( ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr char kBloom[] = R"( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)";

SplitRule Rule(std::string pattern, SplitBehavior behavior = SplitBehavior::kIsolated,
               bool on_byte_level_text = false) {
  return {.pattern = std::move(pattern), .behavior = behavior, .on_byte_level_text = on_byte_level_text};
}

SplitRule Gpt2() { return Rule(std::string(kGpt2SplitPattern)); }

NamedPreTokenizer Named(std::vector<SplitRule> rules, bool ignore_merges = false, bool add_bos = false) {
  return {.rules = std::move(rules), .ignore_merges = ignore_merges, .add_bos = add_bos};
}

struct Entry {
  std::vector<std::string> names;
  NamedPreTokenizer pre_tokenizer;
};

const std::vector<Entry>& Table() {
  static const auto* table = new std::vector<Entry>{
      {{"gpt-2", "mpt", "olmo", "jais", "phi-2", "roberta-bpe", "gigachat", "jina-es", "jina-de", "jina-v1-en",
        "jina-v2-es", "jina-v2-de", "jina-v2-code"},
       Named({Gpt2()})},
      {{"llama3", "llama-v3", "llama-bpe", "falcon3"},
       Named({Rule(kLlama3)}, /*ignore_merges=*/true, /*add_bos=*/true)},
      {{"dbrx", "smaug-bpe", "chatglm-bpe"}, Named({Rule(kLlama3)})},
      {{"qwen2", "deepseek-r1-qwen", "stablelm2", "megrez"}, Named({Rule(kQwen2)})},
      {{"tekken"}, Named({Rule(kTekken)}, /*ignore_merges=*/true, /*add_bos=*/true)},
      // Digits one by one, then GPT-2's regex.
      {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"},
       Named({Rule(R"(\p{N})"), Gpt2()})},
      {{"deepseek-llm"},
       Named({Rule(R"([\r\n])"), Rule(kDeepSeekLetters),
              Rule(R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)"),
              Rule(R"(\s+$)"), Rule(kDeepSeekCjk), Rule(R"(\p{N}+)")})},
      {{"deepseek-coder"},
       Named({Rule(R"([\r\n])"), Rule(R"(\s?\p{L}+)"), Rule(R"(\s?\p{P}+)"), Rule(kDeepSeekCjk), Rule(R"(\p{N})")})},
      {{"deepseek-v3"},
       Named({Rule(R"(\p{N}{1,3})"), Rule(R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)"),
              Rule(kDeepSeekV3)})},
      // Falcon: punctuation runs, GPT-2's regex (HF's ByteLevel), then on its output digit runs and threes.
      {{"falcon"},
       Named({Rule(std::string(kPunctuationPattern), SplitBehavior::kContiguous), Gpt2(),
              Rule(R"(\p{N}+)", SplitBehavior::kIsolated, /*on_byte_level_text=*/true),
              Rule("[0-9][0-9][0-9]", SplitBehavior::kIsolated, /*on_byte_level_text=*/true)})},
      // llama.cpp's own fallback for files that name no pre-tokenizer (Falcon's, on the raw text).
      {{"default"},
       Named({Rule(R"([\p{P}\$\+<=>\^~\|]+)"), Gpt2(), Rule(R"(\p{N}+)"), Rule("[0-9][0-9][0-9]")})},
      {{"poro-chat", "bloom", "gpt3-finnish"}, Named({Rule(kBloom)})},
      {{"viking"}, Named({Rule(kBloom), Rule(R"(\p{N})")})},
      {{"chameleon"},
       Named({Rule("<sentinel:[0-9]+>"), Rule("(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z"), Rule("([\\t\\n]|    |  )"),
              Rule(R"(\p{N})"), Rule(std::string(kPunctuationPattern)), Gpt2()},
             /*ignore_merges=*/false, /*add_bos=*/true)},
  };
  return *table;
}

}  // namespace

std::optional<NamedPreTokenizer> FindNamedPreTokenizer(std::string_view name) {
  for (const Entry& entry : Table()) {
    if (std::find(entry.names.begin(), entry.names.end(), name) != entry.names.end()) return entry.pre_tokenizer;
  }
  return std::nullopt;
}

std::vector<std::string> NamedPreTokenizerNames() {
  std::vector<std::string> names;
  for (const Entry& entry : Table()) names.insert(names.end(), entry.names.begin(), entry.names.end());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ttt::tokenizers
