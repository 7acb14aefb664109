#include "core/governance/zoo.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/governance/gov_io.h"
#include "core/governance/releases.h"
#include "core/governance/version.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

std::vector<std::string> ModelNames(const std::vector<ZooEntry>& models) {
  std::vector<std::string> names;
  for (const ZooEntry& m : models) names.push_back(fs::path(m.dir).filename().string());
  return names;
}

// `text` with every match of `pattern` replaced by `replacement` (std::regex_replace syntax).
std::string Replace(const std::string& text, const std::string& pattern, const std::string& replacement) {
  return std::regex_replace(text, std::regex(pattern), replacement);
}

// `text` as a std::regex_replace replacement that inserts it verbatim ('$' is special there).
std::string Literal(const std::string& text) { return absl::StrReplaceAll(text, {{"$", "$$"}}); }

absl::Status CheckModelName(const std::string& name) {
  static const std::regex kName("[A-Za-z][A-Za-z0-9_]{0,39}");
  if (std::regex_match(name, kName)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "'", name, "' is not a zoo model name: use a letter then letters, digits or '_' (at most 40), e.g. my_llama; "
                 "it names the directory, the CMake project and the targets"));
}

// zoo_dir/NAME (zoo_dir defaults to root/zoo), refused if it exists.
absl::StatusOr<fs::path> NewModelDirectory(const std::string& root, const std::string& name,
                                           const std::string& zoo_dir_arg) {
  const fs::path zoo_dir = zoo_dir_arg.empty() ? fs::path(root) / "zoo" : fs::path(zoo_dir_arg);
  const fs::path dest = zoo_dir / name;
  if (fs::exists(dest)) {
    return absl::AlreadyExistsError(
        absl::StrCat(dest.string(), " already exists: choose another name, or delete it to scaffold again"));
  }
  return dest;
}

// Whether `path` is `dir` or inside it (both made absolute and normal first).
bool IsWithin(const fs::path& path, const fs::path& dir) {
  const fs::path rel =
      fs::weakly_canonical(fs::absolute(path)).lexically_relative(fs::weakly_canonical(fs::absolute(dir)));
  return !rel.empty() && *rel.begin() != "..";
}

// How a model's CMakeLists at `model_dir` names `target`: relative to the model's directory when both are in the
// repository (they move together), else absolute (a model elsewhere keeps reaching the data wherever it moves).
std::string CMakePath(const fs::path& model_dir, const fs::path& target, const std::string& root) {
  const fs::path abs_target = fs::weakly_canonical(fs::absolute(target));
  if (IsWithin(model_dir, root) && IsWithin(abs_target, root)) {
    const fs::path rel = abs_target.lexically_relative(fs::weakly_canonical(fs::absolute(model_dir)));
    return "${CMAKE_CURRENT_SOURCE_DIR}/" + rel.generic_string();
  }
  return abs_target.generic_string();
}

// A model scaffolded into the repository's zoo is a row of the compatibility matrix: the releases older than
// HEAD's version predate it, so their cells are expected failures (governance/matrix.baseline), not a red run.
absl::Status RecordBaseline(const std::string& root, const std::string& name, const std::string& version,
                            std::vector<std::string>* written) {
  const std::string baseline_path = root + "/governance/matrix.baseline";
  absl::StatusOr<std::string> baseline = ReadTextFile(baseline_path);
  std::string text = baseline.ok() ? *baseline : "";
  const std::optional<Version> head = ParseVersion(version);
  if (absl::StatusOr<Releases> releases = LoadReleases(root); releases.ok() && head) {
    for (const Release& r : releases->releases()) {
      const std::optional<Version> v = ParseVersion(r.version());
      if (!v || !(*v < *head)) continue;
      absl::StrAppend(&text, text.empty() || text.back() == '\n' ? "" : "\n", name, " ", r.version(),
                      " *: scaffolded at ttt ", version, " by `ttt-gov new-model`; release ", r.version(),
                      " predates the model\n");
    }
  }
  if (baseline.ok() && text == *baseline) return absl::OkStatus();
  if (absl::Status s = WriteTextFile(baseline_path, text); !s.ok()) return s;
  written->push_back(baseline_path);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ZooEntry>> LoadZooModels(const std::string& root) {
  std::vector<ZooEntry> models;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(fs::path(root) / "zoo", ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.empty() || name[0] == '_' || name[0] == '.') continue;
    const fs::path manifest = entry.path() / "model.textproto";
    if (!fs::exists(manifest)) continue;
    ZooEntry model{.dir = "zoo/" + name, .model = {}};
    if (absl::Status s = ReadTextProto(manifest.string(), &model.model); !s.ok()) return s;
    models.push_back(std::move(model));
  }
  std::sort(models.begin(), models.end(), [](const ZooEntry& a, const ZooEntry& b) { return a.dir < b.dir; });
  return models;
}

std::vector<std::string> PinnableVersions(const std::string& root) {
  std::vector<std::string> versions;
  if (absl::StatusOr<Releases> releases = LoadReleases(root); releases.ok()) {
    for (const Release& r : releases->releases()) versions.push_back(r.version());
  }
  const std::string head = HeadVersion(root);
  if (!head.empty() && std::find(versions.begin(), versions.end(), head) == versions.end()) versions.push_back(head);
  return versions;
}

absl::StatusOr<std::string> PinModel(const std::string& root, const std::string& model, const std::string& version) {
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(root);
  if (!models.ok()) return models.status();
  const std::string path = absl::StrCat(root, "/zoo/", model, "/model.textproto");
  const std::vector<std::string> names = ModelNames(*models);
  if (std::find(names.begin(), names.end(), model) == names.end()) {
    return absl::NotFoundError(absl::StrCat("no zoo model '", model, "' (no ", path, "): the models are ",
                                            absl::StrJoin(names, ", ")));
  }
  const std::vector<std::string> allowed = PinnableVersions(root);
  if (std::find(allowed.begin(), allowed.end(), version) == allowed.end()) {
    return absl::NotFoundError(absl::StrCat(
        "ttt ", version, " is neither a recorded release (", kReleasesPath, ") nor HEAD's version (", HeadVersion(root),
        "): pin one of ", absl::StrJoin(allowed, ", "), ", or record the release first with `ttt-gov release ", version,
        " --commit C`"));
  }
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  static const std::regex kPin(R"re((^|\n)library_version:\s*"([^"]*)")re");
  std::smatch m;
  if (!std::regex_search(*text, m, kPin)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": no `library_version: \"X.Y.Z\"` line at the start of a line: add one"));
  }
  const std::string previous = m[2].str();
  const std::string updated = std::string(m.prefix()) + m[1].str() + "library_version: \"" + version + "\"" +
                              std::string(m.suffix());
  if (absl::Status s = WriteTextFile(path, updated); !s.ok()) return s;
  return previous;
}

const std::vector<std::pair<std::string, std::string>>& ZooTemplates() {
  static const std::vector<std::pair<std::string, std::string>> templates = {
      {"gpt2", "gpt2"}, {"llama", "llama"}, {"llama2c", "stories260K"}};
  return templates;
}

absl::StatusOr<std::vector<std::string>> NewModel(const std::string& root, const std::string& name,
                                                  const std::string& template_name, const std::string& zoo_dir_arg) {
  if (absl::Status s = CheckModelName(name); !s.ok()) return s;
  std::string source_dir;
  std::vector<std::string> known;
  for (const auto& [t, dir] : ZooTemplates()) {
    known.push_back(t);
    if (t == template_name) source_dir = dir;
  }
  if (source_dir.empty()) {
    return absl::NotFoundError(
        absl::StrCat("unknown template '", template_name, "': use one of ", absl::StrJoin(known, ", ")));
  }
  absl::StatusOr<fs::path> dest_or = NewModelDirectory(root, name, zoo_dir_arg);
  if (!dest_or.ok()) return dest_or.status();
  const fs::path dest = *dest_or;
  const fs::path source = fs::path(root) / "zoo" / source_dir;
  if (!fs::exists(source / "CMakeLists.txt")) {
    return absl::NotFoundError(absl::StrCat("template '", template_name, "' copies ", source.string(),
                                            ", which has no CMakeLists.txt: is --root the repository?"));
  }
  const std::string old_lower = absl::AsciiStrToLower(source_dir), new_lower = absl::AsciiStrToLower(name);
  const std::string version = HeadVersion(root);
  std::vector<std::string> written;
  std::error_code ec;
  fs::create_directories(dest, ec);
  for (const fs::directory_entry& entry : fs::directory_iterator(source)) {
    if (!entry.is_regular_file()) continue;  // build trees and data stay behind
    std::string file = entry.path().filename().string();
    absl::StatusOr<std::string> text = ReadTextFile(entry.path().string());
    if (!text.ok()) return text.status();
    std::string out = *text;
    if (file.rfind(old_lower + "_", 0) == 0) file = new_lower + file.substr(old_lower.size());
    if (file == "CMakeLists.txt") {
      out = Replace(out, "ttt_zoo_" + source_dir + "\\b", "ttt_zoo_" + name);
      out = Replace(out, "\\b" + old_lower + "_", new_lower + "_");
      // The template's data are the repository's fixtures, named from zoo/<model>: reach them from `dest`.
      const std::string fixtures = CMakePath(dest, fs::path(root) / "tests" / "fixtures", root);
      out = Replace(out, R"(\$\{CMAKE_CURRENT_SOURCE_DIR\}/\.\./\.\./tests/fixtures)", Literal(fixtures));
      out = "# Scaffolded by `ttt-gov new-model " + name + " --from " + template_name + "`.\n" + out;
    } else if (file == "model.textproto") {
      out = Replace(out, R"((^|\n)name:\s*"[^"]*")", "$1name: \"" + name + "\"");
      out = Replace(out, R"((^|\n)library_version:\s*"[^"]*")", "$1library_version: \"" + version + "\"");
      out = Replace(out, R"((^|\n)owners:\s*"[^"]*")", "$1owners: \"TODO-your-github-handle\"");
      out = Replace(out, R"((^|\n)tier:\s*"[^"]*")", "$1tier: \"experimental\"");
      out = "# Scaffolded by `ttt-gov new-model " + name + " --from " + template_name + "`: set owners and summary.\n" + out;
    }
    const std::string path = (dest / file).string();
    if (absl::Status s = WriteTextFile(path, out); !s.ok()) return s;
    written.push_back(path);
  }
  std::sort(written.begin(), written.end());
  if (zoo_dir_arg.empty()) {
    if (absl::Status s = RecordBaseline(root, name, version, &written); !s.ok()) return s;
  }
  return written;
}

const std::vector<std::pair<std::string, std::string>>& HfModelTypes() {
  static const std::vector<std::pair<std::string, std::string>> types = {
      {"gemma2", "Gemma2"}, {"gpt2", "Gpt2"},   {"llama", "Llama"}, {"mistral", "Mistral"},
      {"mixtral", "Mixtral"}, {"phi3", "Phi3"}, {"qwen2", "Qwen2"}, {"qwen2_moe", "Qwen2Moe"}};
  return types;
}

namespace {

// The string at `key` of a JSON object, "" when absent or not a string.
std::string JsonString(const google::protobuf::Struct& json, const std::string& key) {
  const auto it = json.fields().find(key);
  return it == json.fields().end() ? "" : it->second.string_value();
}

absl::StatusOr<google::protobuf::Struct> ReadJson(const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  google::protobuf::Struct json;
  if (const auto status = google::protobuf::util::JsonStringToMessage(*text, &json); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a JSON object: ", std::string(status.message())));
  }
  return json;
}

// The references of `hf_dir` in `reference_dir`: reference.json and every logits file it names. The error names
// the command that makes them.
absl::Status CheckReferences(const std::string& root, const fs::path& hf_dir, const fs::path& reference_dir) {
  const std::string make = absl::StrCat("make them with llama.cpp (built outside the tree): ", root,
                                        "/tools/zoo-reference.sh ", hf_dir.string(), " ", reference_dir.string(),
                                        "; or pass --reference DIR where they are");
  const fs::path reference = reference_dir / "reference.json";
  if (!fs::exists(reference)) {
    return absl::NotFoundError(absl::StrCat("no reference logits for ", hf_dir.string(), ": ", reference.string(),
                                            " does not exist: ", make));
  }
  absl::StatusOr<google::protobuf::Struct> json = ReadJson(reference.string());
  if (!json.ok()) return json.status();
  const auto cases = json->fields().find("cases");
  if (cases == json->fields().end() || cases->second.list_value().values().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(reference.string(), " lists no cases: ", make));
  }
  for (const google::protobuf::Value& c : cases->second.list_value().values()) {
    const std::string file = JsonString(c.struct_value(), "logits_file");
    if (file.empty() || !fs::exists(reference_dir / file)) {
      return absl::NotFoundError(absl::StrCat(reference.string(), " names logits file '", file,
                                              "', which is not in ", reference_dir.string(), ": ", make));
    }
  }
  return absl::OkStatus();
}

struct HfFamily {
  std::string model_type, architecture, suite;
};

// The family of a Hugging Face config.json: its model_type (one of HfModelTypes()) and first architecture.
absl::StatusOr<HfFamily> ReadHfFamily(const std::string& config_path) {
  absl::StatusOr<google::protobuf::Struct> config = ReadJson(config_path);
  if (!config.ok()) return config.status();
  HfFamily family{.model_type = JsonString(*config, "model_type"), .architecture = "", .suite = ""};
  std::vector<std::string> supported;
  for (const auto& [type, suite] : HfModelTypes()) {
    supported.push_back(type);
    if (type == family.model_type) family.suite = suite;
  }
  if (family.suite.empty()) {
    std::string why;
    if (family.model_type == "mpt") why = " (mpt's ALiBi attention is in the contrib tier: start from zoo/mpt instead)";
    if (family.model_type == "bert" || family.model_type == "t5") {
      why = " (encoders and seq2seq models have their own tests: see zoo/bert)";
    }
    const std::string what = family.model_type.empty()
                                 ? std::string("has no model_type, which")
                                 : absl::StrCat("model_type \"", family.model_type, "\"");
    return absl::InvalidArgumentError(absl::StrCat(config_path, ": ", what, " is not one `new-model --hf` scaffolds",
                                                   why, ": it scaffolds ", absl::StrJoin(supported, ", ")));
  }
  family.architecture = family.model_type;
  if (const auto it = config->fields().find("architectures");
      it != config->fields().end() && !it->second.list_value().values().empty()) {
    family.architecture = it->second.list_value().values(0).string_value();
  }
  return family;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> NewModelFromHf(const std::string& root, const std::string& name,
                                                        const std::string& hf_dir_arg,
                                                        const std::string& reference_dir_arg,
                                                        const std::string& zoo_dir_arg) {
  if (absl::Status s = CheckModelName(name); !s.ok()) return s;
  const fs::path hf_dir = fs::weakly_canonical(fs::absolute(hf_dir_arg));
  const std::string folder = "--hf takes a Hugging Face model folder (config.json, *.safetensors, tokenizer files)";
  if (!fs::is_directory(hf_dir)) {
    return absl::NotFoundError(absl::StrCat(hf_dir_arg, " is not a directory: ", folder));
  }
  if (!fs::exists(hf_dir / "config.json")) {
    return absl::NotFoundError(absl::StrCat(hf_dir.string(), " has no config.json: ", folder));
  }
  bool safetensors = false;
  for (const fs::directory_entry& entry : fs::directory_iterator(hf_dir)) {
    safetensors = safetensors || entry.path().extension() == ".safetensors";
  }
  if (!safetensors) {
    return absl::NotFoundError(absl::StrCat(hf_dir.string(), " has no *.safetensors file: ", folder,
                                            " (PyTorch .bin weights: convert them to safetensors first)"));
  }
  absl::StatusOr<HfFamily> family = ReadHfFamily((hf_dir / "config.json").string());
  if (!family.ok()) return family.status();
  const fs::path reference_dir =
      reference_dir_arg.empty() ? hf_dir : fs::weakly_canonical(fs::absolute(reference_dir_arg));
  if (absl::Status s = CheckReferences(root, hf_dir, reference_dir); !s.ok()) return s;

  absl::StatusOr<fs::path> dest_or = NewModelDirectory(root, name, zoo_dir_arg);
  if (!dest_or.ok()) return dest_or.status();
  const fs::path dest = *dest_or;
  const fs::path source = fs::path(root) / "zoo" / "_templates" / "hf";
  if (!fs::exists(source / "CMakeLists.txt.in")) {
    return absl::NotFoundError(absl::StrCat("the Hugging Face template ", source.string(),
                                            " has no CMakeLists.txt.in: is --root the repository?"));
  }
  const std::string lower = absl::AsciiStrToLower(name), version = HeadVersion(root);
  std::string command = absl::StrCat("ttt-gov new-model ", name, " --hf ", hf_dir_arg);
  if (!reference_dir_arg.empty()) absl::StrAppend(&command, " --reference ", reference_dir_arg);
  const std::string tool = IsWithin(dest, root) ? "tools/zoo-reference.sh" : root + "/tools/zoo-reference.sh";
  const std::vector<std::pair<std::string, std::string>> values = {
      {"@NAME@", name},
      {"@LOWER@", lower},
      {"@MODEL_TYPE@", family->model_type},
      {"@ARCHITECTURE@", family->architecture},
      {"@SUITE@", family->suite},
      {"@VERSION@", version},
      {"@COMMAND@", command},
      {"@REFERENCE_TOOL@", tool},
      {"@HF_DIR@", "\"" + CMakePath(dest, hf_dir, root) + "\""},
      {"@REFERENCE_DIR@", "\"" + CMakePath(dest, reference_dir, root) + "\""}};
  std::vector<std::string> written;
  std::error_code ec;
  fs::create_directories(dest, ec);
  for (const fs::directory_entry& entry : fs::directory_iterator(source)) {
    std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || entry.path().extension() != ".in") continue;
    absl::StatusOr<std::string> text = ReadTextFile(entry.path().string());
    if (!text.ok()) return text.status();
    file = file.substr(0, file.size() - 3);  // drop .in
    if (absl::EndsWith(file, "_test.cc")) file = lower + "_" + file;
    const std::string path = (dest / file).string();
    if (absl::Status s = WriteTextFile(path, absl::StrReplaceAll(*text, values)); !s.ok()) return s;
    written.push_back(path);
  }
  std::sort(written.begin(), written.end());
  if (zoo_dir_arg.empty()) {
    if (absl::Status s = RecordBaseline(root, name, version, &written); !s.ok()) return s;
  }
  return written;
}

}  // namespace ttt::gov
