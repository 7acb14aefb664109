#include "core/tokenizers/unigram_tokenizer.h"

#include <algorithm>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/runtime/status.h"
#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 '▁'
constexpr absl::string_view kSpaceMarkAbsl = "\xE2\x96\x81";  // the same, for absl's string functions

absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
constexpr char kUnknownSurface[] = " \xE2\x81\x87 ";     // SentencePiece decodes <unk> as " ⁇ "
constexpr double kUnknownPenalty = 10.0;                 // SentencePiece's kUnkPenalty

// One node of the Viterbi lattice: the best segmentation of the text up to here ends with piece `id`, which
// starts at byte `start`. Scores are summed in double and kept in float, as SentencePiece does, so that
// near-ties break the same way.
struct BestPath {
  float score = 0;
  int32_t start = -1;  // -1: not reached yet
  int32_t id = kNoToken;
};

}  // namespace

absl::StatusOr<std::unique_ptr<UnigramTokenizer>> UnigramTokenizer::Create(Vocabulary vocab, UnigramOptions options,
                                                                           std::string_view source) {
  TTT_RETURN_IF_ERROR(vocab.Validate(source));
  if (vocab.scores.size() != vocab.pieces.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source), ": a Unigram vocabulary needs one score (log probability) per piece; found ",
        vocab.scores.size(), " scores for ", vocab.pieces.size(), " pieces"));
  }
  if (vocab.unk_id == kNoToken) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source), ": a Unigram vocabulary needs an unknown token (characters no piece covers become it); "
                             "none is set. Check the model's unk id"));
  }
  if (vocab.pieces.size() >= (1u << 31) / 256) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(source), ": ", vocab.pieces.size(), " pieces is too many"));
  }
  return std::unique_ptr<UnigramTokenizer>(new UnigramTokenizer(std::move(vocab), std::move(options)));
}

UnigramTokenizer::UnigramTokenizer(Vocabulary vocab, UnigramOptions options)
    : Tokenizer(std::move(vocab)), options_(std::move(options)) {
  vocab_.types[vocab_.unk_id] = TokenType::kUnknown;
  node_id_.push_back(kNoToken);  // the root
  byte_to_id_.fill(kNoToken);
  decoded_.resize(vocab_.pieces.size());
  float min_score = std::numeric_limits<float>::max();
  float max_score = std::numeric_limits<float>::lowest();
  bool any_normal = false;
  for (int32_t id = 0; id < vocab_size(); ++id) {
    const std::string& piece = vocab_.pieces[id];
    switch (vocab_.types[id]) {
      case TokenType::kNormal:
        any_normal = true;
        min_score = std::min(min_score, vocab_.scores[id]);
        max_score = std::max(max_score, vocab_.scores[id]);
        [[fallthrough]];
      case TokenType::kUserDefined:
        if (!piece.empty()) InsertPiece(piece, id);
        decoded_[id] = options_.escape_whitespaces ? absl::StrReplaceAll(piece, {{kSpaceMarkAbsl, " "}}) : piece;
        break;
      case TokenType::kByte: {
        const int byte = ParseBytePiece(piece);
        if (byte >= 0 && byte_to_id_[byte] == kNoToken) byte_to_id_[byte] = id;
        decoded_[id] = byte >= 0 ? std::string(1, static_cast<char>(byte)) : piece;
        break;
      }
      case TokenType::kUnknown:
        decoded_[id] = kUnknownSurface;
        break;
      default:  // control, unused: no text
        break;
    }
  }
  if (!any_normal) min_score = max_score = 0;
  max_score_ = max_score;
  unknown_score_ = static_cast<float>(min_score - kUnknownPenalty);
}

int32_t UnigramTokenizer::Child(int32_t node, unsigned char byte) const {
  auto it = edges_.find((static_cast<uint64_t>(node) << 8) | byte);
  return it == edges_.end() ? -1 : it->second;
}

void UnigramTokenizer::InsertPiece(std::string_view piece, int32_t id) {
  int32_t node = 0;
  for (unsigned char byte : piece) {
    auto [it, inserted] = edges_.try_emplace((static_cast<uint64_t>(node) << 8) | byte, 0);
    if (inserted) {
      it->second = static_cast<int32_t>(node_id_.size());
      node_id_.push_back(kNoToken);
    }
    node = it->second;
  }
  if (node_id_[node] == kNoToken) node_id_[node] = id;  // the first of duplicated pieces wins
}

// SentencePiece's Normalizer::Normalize: character-map rules first; then leading spaces go, a dummy prefix
// is added, runs of spaces collapse (looking at the normalized output, so a rule that yields a space counts
// as one), spaces become '▁', and trailing spaces go.
std::string UnigramTokenizer::Normalize(std::string_view text) const {
  const bool trim = options_.trim_whitespaces;
  const bool collapse = options_.collapse_whitespaces;
  auto next = [&](std::string_view input, std::string_view* piece) {
    return options_.charsmap.NormalizePrefix(input, piece);
  };
  std::string_view input = text;
  if (trim) {
    while (!input.empty()) {
      std::string_view piece;
      const size_t consumed = next(input, &piece);
      if (piece != " ") break;
      input.remove_prefix(consumed);
    }
  }
  std::string body;
  if (input.empty()) return body;
  body.reserve(input.size() + 8);
  const std::string_view space = options_.escape_whitespaces ? kSpaceMark : std::string_view(" ");
  bool previous_was_space = trim;
  while (!input.empty()) {
    std::string_view piece;
    input.remove_prefix(next(input, &piece));
    if (previous_was_space && collapse) {
      while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    }
    if (!piece.empty()) {
      for (char c : piece) {
        if (c == ' ') {
          body.append(space);
        } else {
          body.push_back(c);
        }
      }
      previous_was_space = piece.back() == ' ';
    }
  }
  std::string out;
  if (options_.add_dummy_prefix && !(options_.dummy_prefix_unless_leading_space && absl::StartsWith(body, AsAbsl(space)))) {
    out.append(space);
  }
  out.append(body);
  if (trim) {
    // Erased rather than resized: GCC 12 cannot tell resize never grows here and warns (-Wrestrict).
    size_t end = out.size();
    while (end >= space.size() && std::string_view(out).substr(0, end).ends_with(space)) end -= space.size();
    out.erase(end);
  }
  return out;
}

void UnigramTokenizer::Segment(std::string_view text, std::vector<int32_t>* out) const {
  const size_t n = text.size();
  std::vector<BestPath> best(n + 1);
  best[0].start = 0;
  for (size_t start = 0; start < n;) {
    const size_t char_length = std::min(Utf8CharLength(text, start), n - start);
    const double score_here = best[start].score;
    auto offer = [&](size_t end, int32_t id, double score) {
      BestPath& target = best[end];
      const double candidate = score_here + score;
      if (target.start < 0 || candidate > target.score) {
        target = {static_cast<float>(candidate), static_cast<int32_t>(start), id};
      }
    };
    bool covers_one_character = false;
    int32_t node = 0;
    for (size_t pos = start; pos < n; ++pos) {
      node = Child(node, static_cast<unsigned char>(text[pos]));
      if (node < 0) break;
      const int32_t id = node_id_[node];
      if (id == kNoToken) continue;
      const size_t length = pos + 1 - start;
      // SentencePiece's bonus that makes a user-defined piece win over any split of it.
      const double score = vocab_.types[id] == TokenType::kUserDefined ? length * static_cast<double>(max_score_) - 0.1
                                                                         : static_cast<double>(vocab_.scores[id]);
      offer(pos + 1, id, score);
      if (length == char_length) covers_one_character = true;
    }
    if (!covers_one_character) offer(start + char_length, vocab_.unk_id, unknown_score_);
    start += char_length;
  }
  // Back from the end; a run of unknown characters becomes one unknown piece (SentencePiece, HF, llama.cpp).
  struct Span {
    size_t start, end;
    int32_t id;
  };
  std::vector<Span> spans;
  for (size_t end = n; end > 0;) {
    const BestPath& node = best[end];
    const size_t start = static_cast<size_t>(node.start);
    if (node.id == vocab_.unk_id && !spans.empty() && spans.back().id == vocab_.unk_id) {
      spans.back().start = start;
    } else {
      spans.push_back({start, end, node.id});
    }
    end = start;
  }
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (it->id != vocab_.unk_id || !options_.byte_fallback) {
      out->push_back(it->id);
      continue;
    }
    const std::string_view bytes = text.substr(it->start, it->end - it->start);
    const bool all_bytes = std::all_of(bytes.begin(), bytes.end(),
                                       [&](char c) { return byte_to_id_[static_cast<unsigned char>(c)] != kNoToken; });
    if (!all_bytes) {
      out->push_back(vocab_.unk_id);
      continue;
    }
    for (unsigned char c : bytes) out->push_back(byte_to_id_[c]);
  }
}

absl::Status UnigramTokenizer::EncodeFragment(std::string_view fragment, FragmentPlace place,
                                              std::vector<int32_t>* out) const {
  if (fragment.size() > UINT32_MAX / 4) return absl::InvalidArgumentError("text longer than 1 GiB");
  const std::string text = Normalize(fragment);
  if (!options_.split_words) {
    Segment(text, out);
    return absl::OkStatus();
  }
  // Each word starts at a '▁' (the first may not, without a dummy prefix).
  const std::string_view view(text);
  size_t word_start = 0;
  for (size_t pos = 1; pos <= view.size(); ++pos) {
    if (pos == view.size() || view.substr(pos, kSpaceMark.size()) == kSpaceMark) {
      Segment(view.substr(word_start, pos - word_start), out);
      word_start = pos;
    }
  }
  return absl::OkStatus();
}

std::string UnigramTokenizer::DecodeToken(int32_t id, int32_t previous) const {
  if (!InRange(id)) return {};
  const std::string& text = decoded_[id];
  // SentencePiece drops the dummy prefix's space from the first text piece (after nothing or control tokens).
  const bool at_start = previous == kNoToken || TypeOf(previous) == TokenType::kControl;
  const TokenType type = vocab_.types[id];
  if (at_start && (options_.add_dummy_prefix || options_.trim_whitespaces) &&
      (type == TokenType::kNormal || type == TokenType::kUserDefined) && !text.empty() && text[0] == ' ') {
    return text.substr(1);
  }
  return text;
}

}  // namespace ttt::tokenizers
