// GPT-2's original tokenizer files: vocab.json (piece -> id) and merges.txt ("#version" line, then one
// "left right" merge per line, highest priority first).
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "core/tokenizers/byte_level_bpe_tokenizer.h"
#include "core/tokenizers/hf_common.h"
#include "core/tokenizers/merge_list.h"
#include "core/tokenizers/tokenizer_loader.h"

namespace ttt::tokenizers {

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadGpt2VocabAndMerges(const std::string& vocab_json_path,
                                                                  const std::string& merges_txt_path) {
  TTT_ASSIGN_OR_RETURN(std::string vocab_text, ReadFileToString(vocab_json_path));
  TTT_ASSIGN_OR_RETURN(nlohmann::json vocab_json, ParseJson(vocab_text, vocab_json_path));
  Vocabulary vocab;
  TTT_RETURN_IF_ERROR(ReadVocabObject(vocab_json, vocab_json_path, &vocab));

  TTT_ASSIGN_OR_RETURN(std::string merges_text, ReadFileToString(merges_txt_path));
  std::vector<PieceMerge> merges;
  size_t line_number = 0;
  for (absl::string_view split_line : absl::StrSplit(merges_text, '\n')) {
    std::string_view line(split_line.data(), split_line.size());
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    std::optional<PieceMerge> merge = SplitMergeLine(line);
    if (!merge.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(merges_txt_path, ":", line_number, ": \"", std::string(line),
                                                     "\" is not a \"left right\" merge; is this a merges.txt?"));
    }
    merges.push_back(*std::move(merge));
  }
  TTT_ASSIGN_OR_RETURN(MergeRankTable table, BuildMergeTable(vocab.pieces, merges, merges_txt_path));

  // vocab.json lists special tokens like ordinary pieces; tokenizer_config.json (if any) says which they are.
  const std::string directory = std::filesystem::path(vocab_json_path).parent_path().string();
  TTT_ASSIGN_OR_RETURN(HfTokenizerConfig config, ReadHfTokenizerConfig(directory.empty() ? "." : directory));
  std::vector<std::string> special = config.special_tokens;
  if (special.empty()) special.push_back("<|endoftext|>");  // GPT-2's only special token
  for (size_t id = 0; id < vocab.pieces.size(); ++id) {
    for (const std::string& name : special) {
      if (vocab.types[id] == TokenType::kNormal && vocab.pieces[id] == name) vocab.types[id] = TokenType::kControl;
    }
  }
  ResolveSpecialIds(config, &vocab);
  vocab.add_bos_by_default = config.add_bos_token.value_or(false) && vocab.bos_id != kNoToken;
  TTT_ASSIGN_OR_RETURN(auto tokenizer, ByteLevelBpeTokenizer::Create(std::move(vocab), std::move(table),
                                                                     ByteLevelOptions{}, vocab_json_path));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace ttt::tokenizers
