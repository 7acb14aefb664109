#include "core/generation/chat/filters.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/generation/chat/call_args.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/filters_sequence.h"
#include "core/generation/chat/operators.h"
#include "core/generation/chat/py_string.h"
#include "core/generation/chat/value_json.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

// Jinja's do_title: words begin after '-', whitespace and opening brackets (unlike str.title()).
std::string JinjaTitle(absl::string_view s) {
  std::string out(s);
  bool word_start = true;
  for (char& c : out) {
    const bool separator = c == '-' || IsPySpace(c) || c == '(' || c == '{' || c == '[' || c == '<';
    if (separator) {
      word_start = true;
    } else if (word_start) {
      c = PyUpper(std::string(1, c))[0];
      word_start = false;
    } else {
      c = PyLower(std::string(1, c))[0];
    }
  }
  return out;
}

std::string HtmlEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Markup.striptags: drop comments and tags, collapse whitespace, unescape the basic entities.
std::string StripTags(absl::string_view s) {
  std::string text;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 4, "<!--") == 0) {
      const size_t end = s.find("-->", i + 4);
      if (end != absl::string_view::npos) {
        i = end + 3;
        continue;
      }
    }
    if (s[i] == '<') {
      const size_t end = s.find('>', i + 1);
      if (end != absl::string_view::npos) {
        i = end + 1;
        continue;
      }
    }
    text += s[i++];
  }
  std::string collapsed;
  for (const std::string& word : PySplit(text, std::nullopt, -1)) {
    if (!collapsed.empty()) collapsed += ' ';
    collapsed += word;
  }
  for (auto [entity, plain] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&#34;", "\""}, {"&quot;", "\""},
                               {"&#39;", "'"}, {"&amp;", "&"}}) {
    collapsed = PyReplace(collapsed, entity, plain, -1);
  }
  return collapsed;
}

// Python's int(text, base) for the int filter: surrounding whitespace, a sign, digit underscores and (for
// base 0, 2, 8, 16) a 0x/0o/0b prefix are accepted.
std::optional<int64_t> ParseInt(std::string s, int base) {
  s = PyStrip(s, std::nullopt, true, true);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s.size() > 2 && s[0] == '0') {
    const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    const int prefixed = p == 'x' ? 16 : (p == 'o' ? 8 : (p == 'b' ? 2 : 0));
    if (prefixed != 0 && (base == 0 || base == prefixed)) {
      base = prefixed;
      s.erase(0, 2);
    }
  }
  if (base == 0) base = 10;
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && s[i - 1] != '_') continue;
    digits += s[i];
  }
  if (digits.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(digits.c_str(), &end, base);
  if (end != digits.c_str() + digits.size() || errno == ERANGE) return std::nullopt;
  return negative ? -v : v;
}

std::optional<double> ParseFloat(const std::string& text) {
  const std::string s = PyStrip(text, std::nullopt, true, true);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

absl::StatusOr<Value> IntFilter(const Value& input, ArgReader& args) {
  const Value fallback = args.Get(0, "default", Value::Int(0));
  const Value base = args.Get(1, "base", Value::Int(10));
  if (input.is_integral()) return Value::Int(input.int_value());
  if (input.is_float()) {
    if (!std::isfinite(input.float_value())) return fallback;
    return Value::Int(static_cast<int64_t>(input.float_value()));
  }
  if (input.is_string()) {
    if (std::optional<int64_t> v = ParseInt(input.str(), base.is_integral() ? static_cast<int>(base.int_value()) : 10)) {
      return Value::Int(*v);
    }
    if (std::optional<double> f = ParseFloat(input.str()); f && std::isfinite(*f)) {
      return Value::Int(static_cast<int64_t>(*f));
    }
  }
  return fallback;
}

absl::StatusOr<Value> RoundFilter(const Value& input, ArgReader& args) {
  const Value precision = args.Get(0, "precision", Value::Int(0));
  const Value method = args.Get(1, "method", Value::String("common"));
  if (!input.is_number()) {
    return absl::InvalidArgumentError(absl::StrCat("round: expected a number, not '", TypeName(input), "'"));
  }
  if (!precision.is_integral()) return absl::InvalidArgumentError("round: precision must be an integer");
  const double scale = std::pow(10.0, static_cast<double>(precision.int_value()));
  const std::string& how = method.str();
  if (how == "common") {
    // Python's round(): halves go to the even neighbour; an int stays an int.
    if (input.is_integral()) return Value::Int(input.int_value());
    return Value::Float(std::nearbyint(input.float_value() * scale) / scale);
  }
  if (how == "ceil") return Value::Float(std::ceil(input.AsDouble() * scale) / scale);
  if (how == "floor") return Value::Float(std::floor(input.AsDouble() * scale) / scale);
  return absl::InvalidArgumentError("round: method must be 'common', 'ceil' or 'floor'");
}

// indent(width=4, first=False, blank=False): indents every line but the first (and blank lines only when
// `blank`), as Jinja 3 does.
absl::StatusOr<Value> IndentFilter(Evaluator& ev, const Value& input, ArgReader& args) {
  const Value width = args.Get(0, "width", Value::Int(4));
  const bool first = Truthy(args.Get(1, "first", Value::Bool(false)));
  const bool blank = Truthy(args.Get(2, "blank", Value::Bool(false)));
  std::string indentation;
  if (width.is_string()) {
    indentation = width.str();
  } else if (width.is_integral()) {
    TTT_RETURN_IF_ERROR(ev.CheckStringSize(static_cast<size_t>(std::max<int64_t>(0, width.int_value()))));
    indentation.assign(static_cast<size_t>(std::max<int64_t>(0, width.int_value())), ' ');
  } else {
    return absl::InvalidArgumentError("indent: width must be an integer or a string");
  }
  const std::string text = ToStr(input) + "\n";
  const std::vector<std::string> lines = PySplitLines(text);
  TTT_RETURN_IF_ERROR(ev.CheckStringSize(text.size() + (lines.size() + 1) * indentation.size()));
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (blank || !lines[i].empty()) out += indentation;
    }
    out += lines[i];
  }
  if (first) out = indentation + out;
  return Value::String(std::move(out));
}

absl::StatusOr<Value> ToJsonFilter(const Value& input, ArgReader& args) {
  JsonFormat format;
  const Value indent = args.Get(0, "indent", Value::None());
  if (indent.is_integral()) {
    format.indent = std::string(static_cast<size_t>(std::clamp<int64_t>(indent.int_value(), 0, 64)), ' ');
  } else if (indent.is_string()) {
    format.indent = indent.str();
  }
  args.Get(1, "ensure_ascii");  // HF passes ensure_ascii=False by default; non-ASCII text is kept either way
  const Value separators = args.Get(2, "separators", Value::None());
  if (separators.is_list() && separators.list().items.size() == 2) {
    format.item_separator = ToStr(separators.list().items[0]);
    format.key_separator = ToStr(separators.list().items[1]);
  }
  format.sort_keys = Truthy(args.Get(3, "sort_keys", Value::Bool(false)));
  TTT_ASSIGN_OR_RETURN(std::string json, ToJson(input, format));
  return Value::String(std::move(json));
}

absl::StatusOr<Value> FirstOrLast(const Value& input, bool first) {
  TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  if (items.empty()) return Value::Undefined(absl::StrCat("No ", first ? "first" : "last", " item, sequence was empty."));
  return first ? items.front() : items.back();
}

using StringFn = std::string (*)(absl::string_view);

absl::StatusOr<Value> Dispatch(Evaluator& ev, absl::string_view name, const Value& input, ArgReader& args) {
  static const auto* kStringFilters = new absl::flat_hash_map<absl::string_view, StringFn>{
      {"upper", &PyUpper}, {"lower", &PyLower}, {"capitalize", &PyCapitalize}, {"title", &JinjaTitle},
      {"escape", &HtmlEscape}, {"e", &HtmlEscape}, {"forceescape", &HtmlEscape}, {"striptags", &StripTags}};
  if (auto it = kStringFilters->find(name); it != kStringFilters->end()) {
    return Value::String(it->second(ToStr(input)));
  }
  if (name == "safe") return input;
  if (name == "string") return Value::String(ToStr(input));
  if (name == "trim") {
    const Value chars = args.Get(0, "chars", Value::None());
    return Value::String(PyStrip(ToStr(input), chars.is_string() ? std::optional(chars.str()) : std::nullopt,
                                 true, true));
  }
  if (name == "tojson") return ToJsonFilter(input, args);
  if (name == "length" || name == "count") {
    if (input.is_undefined()) return Value::Int(0);
    if (input.is_string()) return Value::Int(CodePointCount(input.str()));
    if (input.is_list()) return Value::Int(static_cast<int64_t>(input.list().items.size()));
    if (input.is_dict()) return Value::Int(static_cast<int64_t>(input.dict().size()));
    return absl::InvalidArgumentError(absl::StrCat("object of type '", TypeName(input), "' has no len()"));
  }
  if (name == "default" || name == "d") {
    const Value fallback = args.Get(0, "default_value", Value::String(""));
    const bool boolean = Truthy(args.Get(1, "boolean", Value::Bool(false)));
    if (input.is_undefined() || (boolean && !Truthy(input))) return fallback;
    return input;
  }
  if (name == "replace") {
    const Value from = args.Get(0, "old"), to = args.Get(1, "new");
    const Value count = args.Get(2, "count", Value::None());
    const std::string s = ToStr(input), f = ToStr(from), t = ToStr(to);
    const int64_t n = count.is_integral() ? count.int_value() : -1;
    TTT_RETURN_IF_ERROR(ev.CheckStringSize(PyReplacedSize(s, f, t, n)));
    return Value::String(PyReplace(s, f, t, n));
  }
  if (name == "first" || name == "last") return FirstOrLast(input, name == "first");
  if (name == "list") {
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
    return Value::NewList(std::move(items));
  }
  if (name == "int") return IntFilter(input, args);
  if (name == "float") {
    const Value fallback = args.Get(0, "default", Value::Float(0));
    if (input.is_number()) return Value::Float(input.AsDouble());
    if (input.is_string()) {
      if (std::optional<double> f = ParseFloat(input.str())) return Value::Float(*f);
    }
    return fallback;
  }
  if (name == "abs") {
    if (input.is_float()) return Value::Float(std::fabs(input.float_value()));
    if (input.is_integral()) {
      if (input.int_value() == INT64_MIN) return absl::OutOfRangeError("abs: integer overflow");
      return Value::Int(std::abs(input.int_value()));
    }
    return absl::InvalidArgumentError(absl::StrCat("bad operand type for abs(): '", TypeName(input), "'"));
  }
  if (name == "round") return RoundFilter(input, args);
  if (name == "indent") return IndentFilter(ev, input, args);
  if (name == "center") {
    const Value width = args.Get(0, "width", Value::Int(80));
    std::string s = ToStr(input);
    const int64_t length = CodePointCount(s);
    if (!width.is_integral() || width.int_value() <= length) return Value::String(std::move(s));
    TTT_RETURN_IF_ERROR(ev.CheckStringSize(static_cast<size_t>(width.int_value())));
    const int64_t pad = width.int_value() - length;
    // CPython's str.center: the odd space goes left only when both the padding and the width are odd.
    const int64_t left = pad / 2 + (pad & width.int_value() & 1);
    return Value::String(std::string(static_cast<size_t>(left), ' ') + s +
                         std::string(static_cast<size_t>(pad - left), ' '));
  }
  if (name == "wordcount") {
    int64_t words = 0;
    bool in_word = false;
    for (char c : ToStr(input)) {
      const bool word_char = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
      if (word_char && !in_word) ++words;
      in_word = word_char;
    }
    return Value::Int(words);
  }
  if (name == "attr") {
    const Value attribute = args.Get(0, "name");
    return GetAttr(input, ToStr(attribute));
  }
  return ApplySequenceFilter(ev, name, input, args);
}

}  // namespace

bool IsKnownFilter(absl::string_view name) {
  static constexpr absl::string_view kOwn[] = {
      "upper", "lower", "capitalize", "title", "escape", "e", "forceescape", "striptags", "safe", "string",
      "trim", "tojson", "length", "count", "default", "d", "replace", "first", "last", "list", "int", "float",
      "abs", "round", "indent", "center", "wordcount", "attr"};
  return std::find(std::begin(kOwn), std::end(kOwn), name) != std::end(kOwn) || IsSequenceFilter(name);
}

absl::StatusOr<Value> ApplyFilter(Evaluator& ev, absl::string_view name, const Value& input, CallArgs& call) {
  ArgReader args(call, name);
  TTT_ASSIGN_OR_RETURN(Value result, Dispatch(ev, name, input, args));
  TTT_RETURN_IF_ERROR(args.Done());
  return result;
}

absl::StatusOr<Value> GetDottedAttribute(const Value& item, absl::string_view path) {
  Value current = item;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (!part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      TTT_ASSIGN_OR_RETURN(current, GetItem(current, Value::Int(std::atoll(std::string(part).c_str()))));
    } else {
      TTT_ASSIGN_OR_RETURN(current, GetItem(current, Value::String(std::string(part))));
    }
    if (current.is_undefined()) return current;
  }
  return current;
}

}  // namespace ttt::chat
