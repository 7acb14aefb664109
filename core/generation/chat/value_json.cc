#include "core/generation/chat/value_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/py_string.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

absl::StatusOr<Value> Convert(const nlohmann::ordered_json& json, int depth) {
  if (depth > kMaxJsonDepth) {
    return absl::InvalidArgumentError(absl::StrCat("JSON nested deeper than ", kMaxJsonDepth, " levels"));
  }
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::None();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const uint64_t u = json.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Float(static_cast<double>(u));
      }
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::Float(json.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::String(json.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) {
        TTT_ASSIGN_OR_RETURN(Value v, Convert(item, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::NewList(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Value dict = Value::NewDict();
      for (const auto& [key, item] : json.items()) {
        TTT_ASSIGN_OR_RETURN(Value v, Convert(item, depth + 1));
        dict.dict().Set(key, std::move(v));
      }
      return dict;
    }
    default:
      return absl::InvalidArgumentError("JSON binary values cannot be template values");
  }
}

void AppendJsonString(absl::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

struct Writer {
  const JsonFormat& format;
  std::string item_separator;
  std::string key_separator;
  std::string out;

  void NewLine(int level) {
    if (!format.indent) return;
    out += '\n';
    for (int i = 0; i < level; ++i) out += *format.indent;
  }

  absl::Status Write(const Value& v, int level) {
    if (out.size() > kMaxPrintedBytes) {
      return absl::ResourceExhaustedError(absl::StrCat("tojson: output longer than ", kMaxPrintedBytes, " bytes"));
    }
    if (level > kMaxJsonDepth) {
      return absl::InvalidArgumentError(
          absl::StrCat("tojson: value nested deeper than ", kMaxJsonDepth, " levels (does a list contain itself?)"));
    }
    switch (v.kind()) {
      case Value::Kind::kNone: out += "null"; return absl::OkStatus();
      case Value::Kind::kBool: out += v.bool_value() ? "true" : "false"; return absl::OkStatus();
      case Value::Kind::kInt: absl::StrAppend(&out, v.int_value()); return absl::OkStatus();
      case Value::Kind::kFloat: {
        const double f = v.float_value();
        if (std::isnan(f)) out += "NaN";
        else if (std::isinf(f)) out += f > 0 ? "Infinity" : "-Infinity";
        else out += PyFloatRepr(f);
        return absl::OkStatus();
      }
      case Value::Kind::kString: AppendJsonString(v.str(), out); return absl::OkStatus();
      case Value::Kind::kList: {
        const auto& items = v.list().items;
        if (items.empty()) {
          out += "[]";
          return absl::OkStatus();
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out += item_separator;
          NewLine(level + 1);
          TTT_RETURN_IF_ERROR(Write(items[i], level + 1));
        }
        NewLine(level);
        out += ']';
        return absl::OkStatus();
      }
      case Value::Kind::kDict: {
        std::vector<const std::pair<std::string, Value>*> entries;
        for (const auto& entry : v.dict().entries()) entries.push_back(&entry);
        if (format.sort_keys) {
          std::stable_sort(entries.begin(), entries.end(),
                           [](const auto* a, const auto* b) { return a->first < b->first; });
        }
        if (entries.empty()) {
          out += "{}";
          return absl::OkStatus();
        }
        out += '{';
        for (size_t i = 0; i < entries.size(); ++i) {
          if (i) out += item_separator;
          NewLine(level + 1);
          AppendJsonString(entries[i]->first, out);
          out += key_separator;
          TTT_RETURN_IF_ERROR(Write(entries[i]->second, level + 1));
        }
        NewLine(level);
        out += '}';
        return absl::OkStatus();
      }
      case Value::Kind::kUndefined:
        return absl::InvalidArgumentError(absl::StrCat(
            "tojson: Object of type Undefined is not JSON serializable",
            v.undefined_hint().empty() ? "" : absl::StrCat(" (", v.undefined_hint(), ")")));
      case Value::Kind::kCallable:
        return absl::InvalidArgumentError(
            absl::StrCat("tojson: a function (", v.callable().name, ") is not JSON serializable"));
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<Value> FromJson(const nlohmann::ordered_json& json) { return Convert(json, 0); }

absl::StatusOr<Value> ParseJson(absl::string_view text, absl::string_view what) {
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not valid JSON"));
  }
  auto value = FromJson(json);
  if (!value.ok()) return Annotate(value.status(), what);
  return value;
}

absl::StatusOr<std::string> ToJson(const Value& value, const JsonFormat& format) {
  Writer writer{format, format.item_separator.value_or(format.indent ? "," : ", "),
                format.key_separator.value_or(": "), {}};
  TTT_RETURN_IF_ERROR(writer.Write(value, 0));
  return std::move(writer.out);
}

}  // namespace ttt::chat
