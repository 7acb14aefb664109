#include "core/tokenizers/hf_components.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "core/tokenizers/hf_common.h"

namespace ttt::tokenizers {
namespace {

using json = nlohmann::json;

absl::StatusOr<SplitBehavior> ReadBehavior(const json& component, const std::string& path) {
  const std::string name = component.value("behavior", "Isolated");
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  return UnsupportedTokenizerJson(path, absl::StrCat("split behavior \"", name, "\" in ", component.dump()));
}

// HF's Split: {"pattern": {"Regex": ...} or {"String": ...}, "behavior": ..., "invert": ...}.
absl::StatusOr<SplitRule> ReadSplit(const json& component, const std::string& path) {
  SplitRule rule;
  const json pattern = component.value("pattern", json());
  if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string()) {
    rule.pattern = pattern["Regex"].get<std::string>();
  } else if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()) {
    rule.pattern = pattern["String"].get<std::string>();
    rule.literal = true;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(path, ": pre-tokenizer ", component.dump(),
                                                   " has no pattern {\"Regex\": ...} or {\"String\": ...}"));
  }
  TTT_ASSIGN_OR_RETURN(rule.behavior, ReadBehavior(component, path));
  rule.invert = component.value("invert", false);
  return rule;
}

}  // namespace

absl::StatusOr<std::optional<ByteLevelOptions>> ReadByteLevelOptions(const json& root, const std::string& path) {
  const std::vector<const json*> components = JsonComponents(root, "pre_tokenizer", "pretokenizers");
  bool byte_level = false;
  for (const json* p : components) byte_level |= p->value("type", "") == "ByteLevel";
  if (!byte_level) return std::nullopt;

  ByteLevelOptions options;
  options.split_rules.clear();
  bool after_byte_level = false;  // HF runs what follows ByteLevel on its byte-to-character output
  for (size_t i = 0; i < components.size(); ++i) {
    const json& p = *components[i];
    const std::string type = p.value("type", "");
    SplitRule rule;
    if (type == "ByteLevel") {
      if (p.value("add_prefix_space", false)) {
        // HF would add the space to every chunk the components before produced; only the simple case is here.
        if (i != 0) return UnsupportedTokenizerJson(path, "ByteLevel with add_prefix_space after other pre-tokenizers");
        options.add_prefix_space = true;
      }
      if (p.value("use_regex", true)) options.split_rules.push_back({.pattern = std::string(kGpt2SplitPattern)});
      after_byte_level = true;
      continue;
    } else if (type == "Split") {
      TTT_ASSIGN_OR_RETURN(rule, ReadSplit(p, path));
    } else if (type == "Digits") {
      // Runs of digits, isolated, are what HF's contiguous digit splitting gives.
      rule.pattern = p.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)";
    } else if (type == "Punctuation") {
      rule.pattern = std::string(kPunctuationPattern);
      TTT_ASSIGN_OR_RETURN(rule.behavior, ReadBehavior(p, path));
    } else if (type == "WhitespaceSplit") {
      rule = {.pattern = R"(\s+)", .behavior = SplitBehavior::kRemoved};
    } else if (type == "Whitespace") {
      rule = {.pattern = R"(\w+|[^\w\s]+)", .behavior = SplitBehavior::kRemoved, .invert = true};
    } else {
      return UnsupportedTokenizerJson(path, absl::StrCat("pre-tokenizer \"", type, "\" in a byte-level model (",
                                                         p.dump(), ")"));
    }
    rule.on_byte_level_text = after_byte_level;
    options.split_rules.push_back(std::move(rule));
  }

  for (const json* n : JsonComponents(root, "normalizer", "normalizers")) {
    if (n->value("type", "") != "NFC") {
      return UnsupportedTokenizerJson(path, absl::StrCat("normalizer ", n->dump(), " on a byte-level model"));
    }
    options.nfc = true;
  }
  return options;
}

absl::StatusOr<WordPieceOptions> ReadWordPieceOptions(const json& root, const std::string& path) {
  WordPieceOptions options;
  options.normalization = {.clean_text = false, .handle_chinese_chars = false, .strip_accents = false,
                           .lowercase = false};
  for (const json* n : JsonComponents(root, "normalizer", "normalizers")) {
    if (n->value("type", "") != "BertNormalizer") {
      return UnsupportedTokenizerJson(path, absl::StrCat("normalizer ", n->dump(), " on a WordPiece model"));
    }
    BertNormalization& bert = options.normalization;
    bert.clean_text = n->value("clean_text", true);
    bert.handle_chinese_chars = n->value("handle_chinese_chars", true);
    bert.lowercase = n->value("lowercase", true);
    // strip_accents null (the usual) follows lowercase.
    const json strip = n->value("strip_accents", json());
    bert.strip_accents = strip.is_boolean() ? strip.get<bool>() : bert.lowercase;
  }
  const std::vector<const json*> pre = JsonComponents(root, "pre_tokenizer", "pretokenizers");
  if (pre.size() != 1 || pre[0]->value("type", "") != "BertPreTokenizer") {
    return UnsupportedTokenizerJson(
        path, absl::StrCat("a WordPiece model with pre-tokenizer ", root.value("pre_tokenizer", json()).dump(),
                           " (only BertPreTokenizer is implemented)"));
  }
  const json& model = root["model"];
  options.continuation_prefix = model.value("continuing_subword_prefix", "##");
  // Checked before it is converted: nlohmann's int conversion of 1e22 is undefined (found by tokenizer_json_fuzz).
  const json limit = model.value("max_input_chars_per_word", json(options.max_chars_per_word));
  if (!limit.is_number_integer() || limit.get<int64_t>() < 1 || limit.get<int64_t>() > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": the WordPiece model's max_input_chars_per_word is ",
                                                   limit.dump(), ", not a positive integer"));
  }
  options.max_chars_per_word = static_cast<int>(limit.get<int64_t>());
  return options;
}

}  // namespace ttt::tokenizers
