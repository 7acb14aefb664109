#include "core/governance/zoo.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/governance/gov_io.h"
#include "core/governance/releases.h"
#include "core/governance/version.h"

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
  static const std::regex kName("[A-Za-z][A-Za-z0-9_]{0,39}");
  if (!std::regex_match(name, kName)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", name, "' is not a zoo model name: use a letter then letters, digits or '_' (at most 40), e.g. my_llama; "
                   "it names the directory, the CMake project and the targets"));
  }
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
  const fs::path zoo_dir = zoo_dir_arg.empty() ? fs::path(root) / "zoo" : fs::path(zoo_dir_arg);
  const fs::path dest = zoo_dir / name;
  if (fs::exists(dest)) {
    return absl::AlreadyExistsError(
        absl::StrCat(dest.string(), " already exists: choose another name, or delete it to scaffold again"));
  }
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
  // A model scaffolded into the repository's zoo is a row of the compatibility matrix: the releases older than
  // HEAD's version predate it, so their cells are expected failures (governance/matrix.baseline), not a red run.
  if (zoo_dir_arg.empty()) {
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
    if (!baseline.ok() || text != *baseline) {
      if (absl::Status s = WriteTextFile(baseline_path, text); !s.ok()) return s;
      written.push_back(baseline_path);
    }
  }
  return written;
}

}  // namespace ttt::gov
