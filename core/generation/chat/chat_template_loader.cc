// ChatTemplate::FromModelPath: where a model keeps its chat template, in the formats people have.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/generation/chat/chat_template.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"

namespace ttt {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsGguf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && absl::string_view(magic, 4) == "GGUF";
}

// Special tokens in tokenizer_config.json are strings or AddedToken objects ({"content": "<s>", ...}).
std::string TokenText(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
    return (*it)["content"].get<std::string>();
  }
  return "";
}

// chat_template is a string, or a list of {"name", "template"} of which "default" is the chat template
// (the others, such as "tool_use" or "rag", are for other requests).
absl::StatusOr<std::optional<std::string>> TemplateFromConfig(const nlohmann::json& config, const std::string& file) {
  auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) return std::optional<std::string>();
  if (it->is_string()) return std::optional<std::string>(it->get<std::string>());
  if (it->is_array()) {
    std::vector<std::string> names;
    for (const auto& entry : *it) {
      if (!entry.is_object() || !entry.contains("name") || !entry.contains("template") ||
          !entry["name"].is_string() || !entry["template"].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": chat_template list entries must be {\"name\": ..., \"template\": ...} objects"));
      }
      if (entry["name"] == "default") return std::optional<std::string>(entry["template"].get<std::string>());
      names.push_back(entry["name"].get<std::string>());
    }
    return absl::NotFoundError(absl::StrCat(file, ": chat_template lists templates named ", absl::StrJoin(names, ", "),
                                            " but none named \"default\""));
  }
  return absl::InvalidArgumentError(absl::StrCat(file, ": chat_template must be a string or a list of named templates"));
}

absl::StatusOr<ChatTemplate> FromHfDirectory(const fs::path& dir) {
  const fs::path config_path = dir / "tokenizer_config.json";
  nlohmann::json config = nlohmann::json::object();
  if (fs::exists(config_path)) {
    TTT_ASSIGN_OR_RETURN(std::string text, ReadFile(config_path));
    config = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded() || !config.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(config_path.string(), " is not a JSON object"));
    }
  }
  const std::string bos = TokenText(config, "bos_token");
  const std::string eos = TokenText(config, "eos_token");
  // Newer transformers save the template beside the config, in chat_template.jinja (which then wins) or
  // chat_template.json.
  const fs::path jinja_path = dir / "chat_template.jinja";
  if (fs::exists(jinja_path)) {
    TTT_ASSIGN_OR_RETURN(std::string source, ReadFile(jinja_path));
    auto tmpl = ChatTemplate::FromString(std::move(source), bos, eos);
    if (!tmpl.ok()) return Annotate(tmpl.status(), jinja_path.string());
    return tmpl;
  }
  TTT_ASSIGN_OR_RETURN(std::optional<std::string> source, TemplateFromConfig(config, config_path.string()));
  const fs::path json_path = dir / "chat_template.json";
  if (!source && fs::exists(json_path)) {
    TTT_ASSIGN_OR_RETURN(std::string text, ReadFile(json_path));
    nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(json_path.string(), " is not a JSON object"));
    }
    TTT_ASSIGN_OR_RETURN(source, TemplateFromConfig(json, json_path.string()));
  }
  if (!source) {
    return absl::NotFoundError(absl::StrCat(
        "the model in ", dir.string(), " has no chat template: neither ", config_path.filename().string(),
        " (key chat_template), chat_template.jinja nor chat_template.json has one. Base models often have none; "
        "use the instruct model's files, or give a template explicitly (ChatTemplate::FromString)"));
  }
  auto tmpl = ChatTemplate::FromString(std::move(*source), bos, eos);
  if (!tmpl.ok()) return Annotate(tmpl.status(), absl::StrCat(config_path.string(), " chat_template"));
  return tmpl;
}

absl::StatusOr<ChatTemplate> FromGguf(const std::string& path) {
  TTT_ASSIGN_OR_RETURN(std::unique_ptr<formats::GgufFile> gguf, formats::GgufFile::Open(path));
  if (!gguf->Has("tokenizer.chat_template")) {
    return absl::NotFoundError(absl::StrCat(
        path, " has no tokenizer.chat_template metadata. Base models often have none; convert the instruct "
        "model, or give a template explicitly (ChatTemplate::FromString)"));
  }
  TTT_ASSIGN_OR_RETURN(std::string source, gguf->GetString("tokenizer.chat_template"));
  // bos/eos are token ids into the vocabulary.
  std::string bos, eos;
  if (gguf->Has("tokenizer.ggml.tokens")) {
    TTT_ASSIGN_OR_RETURN(std::vector<std::string> tokens, gguf->GetStringArray("tokenizer.ggml.tokens"));
    auto token = [&](const char* key, std::string* out) -> absl::Status {
      if (!gguf->Has(key)) return absl::OkStatus();
      TTT_ASSIGN_OR_RETURN(int64_t id, gguf->GetInt(key));
      if (id < 0 || id >= static_cast<int64_t>(tokens.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": ", key, " = ", id, " is outside the vocabulary of ", tokens.size(), " tokens"));
      }
      *out = tokens[static_cast<size_t>(id)];
      return absl::OkStatus();
    };
    TTT_RETURN_IF_ERROR(token("tokenizer.ggml.bos_token_id", &bos));
    TTT_RETURN_IF_ERROR(token("tokenizer.ggml.eos_token_id", &eos));
  }
  auto tmpl = ChatTemplate::FromString(std::move(source), bos, eos);
  if (!tmpl.ok()) return Annotate(tmpl.status(), absl::StrCat(path, " tokenizer.chat_template"));
  return tmpl;
}

}  // namespace

absl::StatusOr<ChatTemplate> ChatTemplate::FromModelPath(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return FromHfDirectory(p);
  if (!fs::is_regular_file(p, ec)) {
    return absl::NotFoundError(absl::StrCat(path, " does not exist (expected a model directory or a GGUF file)"));
  }
  if (IsGguf(p)) return FromGguf(path);
  // A file of a Hugging Face directory (config.json, tokenizer_config.json...): the template is beside it.
  return FromHfDirectory(p.has_parent_path() ? p.parent_path() : fs::path("."));
}

}  // namespace ttt
