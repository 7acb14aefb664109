#include "core/governance/repository.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/governance/tiers.h"
#include "core/runtime/data_dir.h"
#include "core/runtime/mapped_file.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

// The lines of `text`, for mapping a parser position back to the token it complains about.
std::vector<absl::string_view> Lines(absl::string_view text) { return absl::StrSplit(text, '\n'); }

// protobuf's text parser reports some errors (an unknown enum value) at the token *after* the bad one,
// often the next line. When the reported spot does not hold a name the message quotes, the nearest
// earlier occurrence of one is the real place.
int BadTokenLine(absl::string_view text, int line, int column, absl::string_view message) {
  std::vector<std::string> quoted;
  for (size_t open = message.find('"'); open != absl::string_view::npos;) {
    const size_t close = message.find('"', open + 1);
    if (close == absl::string_view::npos) break;
    if (close > open + 1) quoted.emplace_back(message.substr(open + 1, close - open - 1));
    open = message.find('"', close + 1);
  }
  const std::vector<absl::string_view> lines = Lines(text);
  if (quoted.empty() || line < 0 || line >= static_cast<int>(lines.size())) return line;
  auto holds = [&](absl::string_view s) {
    for (const std::string& q : quoted) {
      if (absl::StrContains(s, q)) return true;
    }
    return false;
  };
  const absl::string_view here = lines[line];
  if (column >= 0 && column <= static_cast<int>(here.size()) && holds(here.substr(0, column))) return line;
  if (column >= 0 && column < static_cast<int>(here.size()) && holds(here.substr(column))) return line;
  for (int l = line - 1; l >= 0; --l) {
    if (holds(lines[l])) return l;
  }
  return line;
}

class ProblemCollector : public google::protobuf::io::ErrorCollector {
 public:
  ProblemCollector(absl::string_view text, std::string path, std::string type, Problems* problems)
      : text_(text), path_(std::move(path)), type_(std::move(type)), problems_(problems) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    absl::string_view what = absl::StripSuffix(message, ".");
    problems_->push_back(
        {path_, BadTokenLine(text_, line, column, what) + 1,
         absl::StrCat("not valid text-format ", type_, ": ", what,
                      ". Field and enum names are those of core/governance/proto/*.proto.")});
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}

 private:
  absl::string_view text_;
  std::string path_;
  std::string type_;
  Problems* problems_;
};

bool IsDirPrefix(const std::string& dir, const std::string& path) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

bool ParseTextProtoWithProblems(const std::string& text, const std::string& display_path,
                                google::protobuf::Message* message, Problems* problems) {
  google::protobuf::TextFormat::Parser parser;
  const size_t before = problems->size();
  ProblemCollector collector(text, display_path, message->GetDescriptor()->full_name(), problems);
  parser.RecordErrorsTo(&collector);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (parser.Parse(&input, message)) return true;
  if (problems->size() == before) {
    problems->push_back({display_path, 0, absl::StrCat("not valid text-format ",
                                                       message->GetDescriptor()->full_name())});
  }
  return false;
}

std::vector<std::string> FindManifestPaths(const std::string& root) {
  std::vector<std::string> paths;
  for (const std::string& top : TierDirectories()) {
    const fs::path base = fs::path(root) / top;
    std::error_code ec;
    if (!fs::is_directory(base, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().filename() == kManifestFileName) {
        paths.push_back(it->path().lexically_relative(root).generic_string());
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Repository LoadRepository(const std::string& root) {
  Repository repo;
  repo.root = root;
  const std::string policy_file = (fs::path(root) / kPolicyPath).string();
  absl::StatusOr<std::string> policy_text = ReadFileToString(policy_file);
  if (!policy_text.ok()) {
    repo.load_problems.push_back({kPolicyPath, 0,
                                  absl::StrCat("cannot read the policy (", policy_text.status().message(),
                                               "): restore governance/policy.textproto")});
  } else {
    repo.policy_loaded = ParseTextProtoWithProblems(*policy_text, kPolicyPath, &repo.policy,
                                                    &repo.load_problems);
  }
  for (const std::string& path : FindManifestPaths(root)) {
    absl::StatusOr<std::string> text = ReadFileToString((fs::path(root) / path).string());
    if (!text.ok()) {
      repo.load_problems.push_back({path, 0, absl::StrCat("cannot read: ", text.status().message())});
      continue;
    }
    Module module;
    module.manifest_path = path;
    module.dir = fs::path(path).parent_path().generic_string();
    if (ParseTextProtoWithProblems(*text, path, &module.manifest, &repo.load_problems)) {
      repo.modules.push_back(std::move(module));
    }
  }
  return repo;
}

const Module* Repository::ModuleForPath(const std::string& path) const {
  const Module* best = nullptr;
  for (const Module& module : modules) {
    if (IsDirPrefix(module.dir, path) && (best == nullptr || module.dir.size() > best->dir.size())) {
      best = &module;
    }
  }
  return best;
}

const Module* Repository::FindById(const std::string& id) const {
  for (const Module& module : modules) {
    if (module.manifest.id() == id) return &module;
  }
  return nullptr;
}

const TierPolicy* Repository::PolicyFor(Tier tier) const {
  for (const TierPolicy& policy : policy.tiers()) {
    if (policy.tier() == tier) return &policy;
  }
  return nullptr;
}

absl::StatusOr<std::string> FindRepositoryRoot(const std::string& start) {
  std::error_code ec;
  const fs::path dir = fs::absolute(start, ec).lexically_normal();
  if (ec) return absl::InvalidArgumentError(absl::StrCat("cannot resolve ", start, ": ", ec.message()));
  for (fs::path d = dir; !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / kPolicyPath, ec)) {
      std::string root = d.string();
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      return root;
    }
    if (d == d.parent_path()) break;
  }
  return absl::NotFoundError(absl::StrCat("no ", kPolicyPath, " in ", dir.string(),
                                          " or any parent: run from inside the repository or pass --root DIR"));
}

absl::StatusOr<std::string> FindGovernanceData(const std::string& start) {
  absl::StatusOr<std::string> repository = FindRepositoryRoot(start);
  if (repository.ok()) return repository;
  const std::string installed = PackageDataDir();
  std::error_code ec;
  if (!installed.empty() && fs::exists(fs::path(installed) / kPolicyPath, ec)) return installed;
  return absl::NotFoundError(absl::StrCat(repository.status().message(), "; nor is there an installed copy (",
                                          installed.empty() ? "no share/ttt beside the executable" : installed,
                                          "): set TTT_DATA_DIR=<prefix>/share/ttt"));
}

}  // namespace ttt::gov
