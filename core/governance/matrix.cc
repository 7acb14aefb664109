#include "core/governance/matrix.h"

#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/governance/api_verdict.h"
#include "core/governance/gov_io.h"
#include "core/governance/releases.h"
#include "core/governance/version.h"
#include "core/runtime/progress.h"
#include "core/runtime/status.h"
#include "core/governance/zoo.h"
#include "google/protobuf/util/json_util.h"

namespace ttt::gov {
namespace fs = std::filesystem;
namespace {

bool Selected(const std::vector<std::string>& filter, const std::string& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

std::string Tail(const std::string& text, size_t n) { return text.size() > n ? text.substr(text.size() - n) : text; }

std::string Environment(const std::string& command) {
  return std::string(absl::StripAsciiWhitespace(RunCommand(command).output));
}

const DeviceTarget* TargetFor(const ZooModel& model, const std::string& device) {
  for (const DeviceTarget& t : model.targets()) {
    if (t.device() == device) return &t;
  }
  return nullptr;
}

// Runs the zoo model's tests in `build` for `device`: first the tests labelled `device` (the ones that read
// TTT_DEVICE/TTT_MODE: accuracy against the reference logits, decode speed), verbose because ctest shows a passing
// test's output (the TTT_METRIC lines) only then; then, unless `device_tests_only`, every other test (the exact
// f32 cpu checks; on an emulated device they would only repeat the cpu cell). Fills status, reason, metrics, time.
void RunTests(const std::string& build, const std::string& device, const ZooModel& model, int jobs,
              bool device_tests_only, MatrixCell* cell) {
  const DeviceTarget* target = TargetFor(model, device);
  const std::string mode = target != nullptr && !target->mode().empty() ? target->mode() : "accuracy";
  cell->set_mode(mode);
  const std::string ctest = absl::StrCat("TTT_DEVICE=", ShellQuote(device), " TTT_MODE=", ShellQuote(mode),
                                         " ctest --test-dir ", ShellQuote(build), " --output-on-failure -j", jobs);
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = RunCommand(ctest + " -V -L '^device$' --no-tests=error");
  if (r.exit_code == 0 && !device_tests_only) {
    const CommandResult rest = RunCommand(ctest + " -LE '^device$'");
    r.exit_code = rest.exit_code;
    r.output += rest.output;
  }
  cell->set_test_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  ParseMetrics(r.output, cell);
  if (r.exit_code != 0) {
    cell->set_status("fail");
    std::smatch m;
    static const std::regex kFailed(R"(\d+ - (\S+) \(Failed\))");
    if (r.output.find("No tests were found") != std::string::npos) {
      cell->set_reason("no test labelled `device` (see zoo/stories260K/CMakeLists.txt): nothing reports accuracy");
    } else {
      cell->set_reason(std::regex_search(r.output, m, kFailed) ? "first failure: " + m[1].str() : Tail(r.output, 200));
    }
    return;
  }
  cell->set_status("pass");
  JudgeMetrics(target, cell);
}

std::string Symbol(const std::string& status) {
  if (status == "pass") return "✅ pass";
  if (status == "skip") return "➖ skip";
  if (status == "known-fail") return "⚠️ known-fail";
  if (status.empty()) return "· not run";
  return "❌ " + status;
}

}  // namespace

std::string CellKey(const std::string& model, const std::string& version, const std::string& device) {
  return absl::StrCat(model, " ", version, " ", device);
}

void ParseMetrics(const std::string& output, MatrixCell* cell) {
  // Keys may hold digits (top1); non-numeric values (device=n150) are not metrics and are skipped.
  static const std::regex kPair(R"(([a-z_0-9]+)=([-+0-9.eE]+)(?=\s|$))");
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    const size_t at = line.find("TTT_METRIC");
    if (at == absl::string_view::npos) continue;
    const std::string rest(line.substr(at));
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), kPair); it != std::sregex_iterator(); ++it) {
      const std::string key = (*it)[1].str();
      const double v = std::strtod((*it)[2].str().c_str(), nullptr);
      // Several lines (one per reference case or format): the cell keeps the worst of each.
      if (key == "logit_error" || key == "max_logit_error") cell->set_logit_error(std::max(cell->logit_error(), v));
      if (key == "pcc") cell->set_pcc(cell->has_pcc() ? std::min(cell->pcc(), v) : v);
      if (key == "top1") cell->set_top1(cell->has_top1() ? std::min(cell->top1(), v) : v);
      if (key == "tokens_per_s") cell->set_tokens_per_s(cell->tokens_per_s() > 0 ? std::min(cell->tokens_per_s(), v) : v);
    }
  }
}

void JudgeMetrics(const DeviceTarget* target, MatrixCell* cell) {
  if (target == nullptr || cell->status() != "pass") return;
  std::vector<std::string> misses;
  auto judge_min = [&](const char* what, double target_min, bool reported, double value) {
    if (target_min <= 0) return;
    if (!reported) {
      misses.push_back(absl::StrCat("no ", what, " reported (a TTT_METRIC line) to judge the target ", target_min));
    } else if (value < target_min) {
      misses.push_back(absl::StrCat(what, " ", value, " < target ", target_min));
    }
  };
  judge_min("pcc", target->min_pcc(), cell->has_pcc(), cell->pcc());
  judge_min("top1", target->min_top1(), cell->has_top1(), cell->top1());
  if (target->max_logit_error() > 0 && cell->logit_error() > target->max_logit_error()) {
    misses.push_back(absl::StrCat("logit error ", cell->logit_error(), " > target ", target->max_logit_error()));
  }
  if (!misses.empty()) {
    cell->set_status("fail");
    cell->set_reason(absl::StrJoin(misses, "; "));
    return;
  }
  // Speed only matters once the numbers are right. Unreported speed is not judged: a model may have no decode.
  if (target->min_tokens_per_s() > 0 && cell->tokens_per_s() > 0 && cell->tokens_per_s() < target->min_tokens_per_s()) {
    cell->set_status("perf-regression");
    cell->set_reason(absl::StrCat(cell->tokens_per_s(), " tokens/s < target ", target->min_tokens_per_s()));
  }
}

absl::StatusOr<std::map<std::string, std::string>> LoadMatrixBaseline(const std::string& root) {
  const std::string path = root + "/" + kMatrixBaselinePath;
  TTT_ASSIGN_OR_RETURN(const std::vector<BaselineEntry> entries, ReadBaselineEntries(path, ":"));
  std::map<std::string, std::string> baseline;
  for (const BaselineEntry& e : entries) {
    if (e.key.size() != 3 || e.reason.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", e.line, ": write `MODEL VERSION DEVICE: reason`"));
    }
    baseline[CellKey(e.key[0], e.key[1], e.key[2])] = e.reason;
  }
  return baseline;
}

const std::string* BaselineReason(const std::map<std::string, std::string>& baseline, const std::string& model,
                                  const std::string& version, const std::string& device) {
  for (const std::string& d : {device, std::string("*")}) {
    auto it = baseline.find(CellKey(model, version, d));
    if (it != baseline.end()) return &it->second;
  }
  return nullptr;
}

std::string JudgeCell(const std::string& raw, bool in_baseline) {
  if (raw == "skip") return raw;
  const bool failed = raw == "fail" || raw == "build-fail" || raw == "perf-regression";
  if (in_baseline) return failed ? "known-fail" : "unexpected-pass";
  return raw;
}

bool IsFailingStatus(const std::string& s) {
  return s == "fail" || s == "build-fail" || s == "unexpected-pass" || s == "perf-regression";
}

absl::StatusOr<MatrixAxes> DiscoverAxes(const MatrixOptions& o) {
  MatrixAxes axes;
  absl::StatusOr<Releases> releases = LoadReleases(o.root);
  if (!releases.ok()) return releases.status();
  std::vector<std::string> versions;
  for (const Release& r : releases->releases()) versions.push_back(r.version());
  std::sort(versions.begin(), versions.end(),
            [](const std::string& a, const std::string& b) { return *ParseVersion(a) < *ParseVersion(b); });
  versions.push_back(kHead);
  for (const std::string& v : versions) {
    if (Selected(o.versions, v)) axes.versions.push_back(v);
  }
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(o.root);
  if (!models.ok()) return models.status();
  for (const ZooEntry& m : *models) {
    if (Selected(o.models, m.model.name())) axes.models.push_back(m.model.name());
  }
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(fs::path(o.root) / "hwconfig/devices", ec)) {
    if (e.path().extension() == ".textproto" && Selected(o.devices, e.path().stem().string())) {
      axes.devices.push_back(e.path().stem().string());
    }
  }
  std::sort(axes.devices.begin(), axes.devices.end());
  for (const auto& [name, filter, found] : {std::tuple{"version", &o.versions, &axes.versions},
                                            std::tuple{"model", &o.models, &axes.models},
                                            std::tuple{"device", &o.devices, &axes.devices}}) {
    for (const std::string& f : *filter) {
      if (std::find(found->begin(), found->end(), f) == found->end()) {
        return absl::NotFoundError(absl::StrCat("unknown ", name, " '", f, "'"));
      }
    }
  }
  return axes;
}

absl::StatusOr<Matrix> LoadMatrix(const std::string& root) {
  absl::StatusOr<std::string> text = ReadTextFile(root + "/" + kMatrixJsonPath);
  if (!text.ok()) return text.status();
  Matrix matrix;
  const auto status = google::protobuf::util::JsonStringToMessage(*text, &matrix);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(kMatrixJsonPath, ": not a matrix: ", std::string(status.message()),
                                                   ": regenerate it with `ttt-gov matrix`"));
  }
  return matrix;
}

absl::Status WriteReleaseShim(const std::string& root, const std::string& prefix, const std::string& shim_dir) {
  const std::string release = absl::StrCat(prefix, "/lib/cmake/ttt");
  if (!fs::exists(release + "/tttConfig.cmake")) {
    return absl::NotFoundError(absl::StrCat(release, "/tttConfig.cmake: no ttt package installed at ", prefix,
                                            ": run `ttt-gov install-release VERSION` again"));
  }
  std::error_code ec;
  fs::create_directories(shim_dir, ec);
  const std::string head = "# Written by `ttt-gov matrix`: the release installed at " + prefix + ", with ";
  TTT_RETURN_IF_ERROR(WriteTextFile(
      shim_dir + "/tttConfig.cmake",
      absl::StrCat(head, "this tree's ttt_zoo_find_pinned\n# (core/governance/matrix.h, WriteReleaseShim).\n",
                   "include(\"", release, "/tttConfig.cmake\")\n", "include(\"", fs::absolute(root).string(),
                   "/cmake/TttZoo.cmake\")\n")));
  return WriteTextFile(shim_dir + "/tttConfigVersion.cmake",
                       absl::StrCat(head, "its version file.\ninclude(\"", release, "/tttConfigVersion.cmake\")\n"));
}

absl::StatusOr<Matrix> RunMatrix(const MatrixOptions& o, std::string* log) {
  absl::StatusOr<MatrixAxes> axes = DiscoverAxes(o);
  if (!axes.ok()) return axes.status();
  absl::StatusOr<std::map<std::string, std::string>> baseline = LoadMatrixBaseline(o.root);
  if (!baseline.ok()) return baseline.status();
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(o.root);
  if (!models.ok()) return models.status();
  // Previous cells: kept unless re-run now.
  std::map<std::string, MatrixCell> cells;
  // Each release's API against HEAD: kept unless the release's column is re-run now.
  std::map<std::string, ApiVerdict> api;
  if (absl::StatusOr<Matrix> previous = LoadMatrix(o.root); previous.ok()) {
    for (const MatrixCell& c : previous->cells()) cells[CellKey(c.model(), c.version(), c.device())] = c;
    for (const ApiVerdict& v : previous->api()) api[v.version()] = v;
  }
  const std::string build_dir = fs::absolute(o.build_dir).string();
  const std::string head_commit = Environment(absl::StrCat("git -C ", ShellQuote(o.root), " rev-parse HEAD"));
  absl::StatusOr<Releases> releases = LoadReleases(o.root);
  if (!releases.ok()) return releases.status();
  int64_t selected = 0;
  for (const ZooEntry& entry : *models) {
    selected += std::count(axes->models.begin(), axes->models.end(), entry.model.name());
  }
  // Each cell may build a zoo model (the first of its row) and runs its tests: minutes in all, so on a
  // terminal the count and the time left are shown.
  Progress progress("compatibility matrix (zoo builds and tests)",
                    static_cast<int64_t>(axes->versions.size() * axes->devices.size()) * selected);
  for (const std::string& version : axes->versions) {
    std::string prefix, commit = head_commit, pin = HeadVersion(o.root);
    std::string install_error;
    if (version == kHead) {
      prefix = build_dir + "/zoo-prefix";
      const CommandResult r = RunCommand(absl::StrCat("cmake --install ", ShellQuote(build_dir), " --prefix ", ShellQuote(prefix)));
      if (r.exit_code != 0) install_error = "installing HEAD failed: " + Tail(r.output, 300);
    } else {
      pin = version;
      for (const Release& r : releases->releases()) {
        if (r.version() == version) commit = r.commit();
      }
      absl::StatusOr<std::string> installed = InstallRelease(o.root, version, build_dir + "/releases", o.jobs);
      if (installed.ok()) {
        prefix = *installed;
      } else {
        install_error = std::string(installed.status().message());
      }
    }
    if (!install_error.empty()) return absl::InternalError(install_error);
    if (version != kHead) {
      // The release's public headers against HEAD's (api_verdict.h): seconds, once the release is installed.
      std::string report;
      absl::StatusOr<ApiVerdict> verdict = RunApiDiff(o.root, build_dir, version, kHead, o.jobs, &report);
      if (!verdict.ok()) return verdict.status();
      absl::StrAppend(log, "API ", version, " vs HEAD: ", verdict->status(), " (", verdict->breaks(),
                      " unaccepted break(s), ", verdict->accepted(), " accepted; `ttt-gov api-diff ", version,
                      "` lists them)\n");
      api[version] = *verdict;
    }
    // How every model of this column finds the package: a release through its shim (WriteReleaseShim).
    std::string package = absl::StrCat(" -DCMAKE_PREFIX_PATH=", ShellQuote(prefix));
    if (version != kHead) {
      const std::string shim = absl::StrCat(build_dir, "/matrix/", version, "/package");
      TTT_RETURN_IF_ERROR(WriteReleaseShim(o.root, prefix, shim));
      absl::StrAppend(&package, " -Dttt_DIR=", ShellQuote(shim));
    }
    for (const ZooEntry& entry : *models) {
      const ZooModel& model = entry.model;
      if (std::find(axes->models.begin(), axes->models.end(), model.name()) == axes->models.end()) continue;
      const std::string build = absl::StrCat(build_dir, "/matrix/", version, "/", model.name());
      std::string build_error;
      bool built = false;
      for (const std::string& device : axes->devices) {
        MatrixCell cell;
        cell.set_model(model.name());
        cell.set_version(version);
        cell.set_device(device);
        cell.set_commit(commit);
        std::string raw;
        if (TargetFor(model, device) == nullptr) {
          cell.set_status("skip");
          cell.set_reason("the model does not target " + device + " (model.textproto targets)");
        } else {
          if (!built) {
            built = true;
            const CommandResult configure = RunCommand(absl::StrCat(
                "cmake -S ", ShellQuote(o.root + "/" + entry.dir), " -B ", ShellQuote(build), package,
                " -DCMAKE_BUILD_TYPE=Release -DTTT_ZOO_PIN_OVERRIDE=", pin));
            const CommandResult make = configure.exit_code == 0
                                           ? RunCommand(absl::StrCat("cmake --build ", ShellQuote(build), " -j", o.jobs))
                                           : configure;
            if (make.exit_code != 0) build_error = FirstBuildError(make.output, o.root);
          }
          if (!build_error.empty()) {
            cell.set_status("build-fail");
            cell.set_reason(build_error);
          } else {
            RunTests(build, device, model, o.jobs, /*device_tests_only=*/device != "cpu", &cell);
          }
        }
        const std::string key = CellKey(model.name(), version, device);
        const std::string* known = BaselineReason(*baseline, model.name(), version, device);
        const std::string judged = JudgeCell(cell.status(), known != nullptr);
        if (judged == "known-fail" || judged == "unexpected-pass") {
          // The baseline says why it is expected; a build-fail also keeps the compiler's first error.
          cell.set_reason(absl::StrCat(*known, cell.status() == "build-fail" ? " [" + cell.reason() + "]" : "",
                                       judged == "unexpected-pass"
                                                          ? ": now passes, remove the line from " + std::string(kMatrixBaselinePath)
                                                          : ""));
        }
        cell.set_status(judged);
        absl::StrAppend(log, key, ": ", cell.status(), cell.reason().empty() ? "" : " (" + cell.reason() + ")", "\n");
        progress.Step(absl::StrCat(model.name(), " ", version, " ", device, ": ", cell.status()));
        cells[key] = cell;
      }
    }
  }
  // The axes of the written matrix: everything discovered (not only the filtered selection).
  MatrixOptions all = o;
  all.versions.clear();
  all.models.clear();
  all.devices.clear();
  absl::StatusOr<MatrixAxes> full = DiscoverAxes(all);
  if (!full.ok()) return full.status();
  Matrix matrix;
  MatrixEnvironment* env = matrix.mutable_environment();
  env->set_compiler(Environment("${CXX:-c++} --version | head -1"));
  utsname u{};
  uname(&u);
  env->set_machine(absl::StrCat(u.machine, " ", Environment("nproc"), " cores, ",
                                Environment("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")));
  env->set_head_commit(head_commit);
  env->set_generated(TodayUtc());
  for (const std::string& v : full->versions) matrix.add_versions(v);
  for (const std::string& m : full->models) matrix.add_models(m);
  for (const std::string& d : full->devices) matrix.add_devices(d);
  for (const std::string& m : full->models) {
    for (const std::string& v : full->versions) {
      for (const std::string& d : full->devices) {
        auto it = cells.find(CellKey(m, v, d));
        if (it != cells.end()) *matrix.add_cells() = it->second;
      }
    }
  }
  for (const std::string& v : full->versions) {
    if (auto it = api.find(v); it != api.end()) *matrix.add_api() = it->second;
  }
  return matrix;
}

std::string RenderCompatibility(const Matrix& matrix) {
  std::map<std::string, const MatrixCell*> cells;
  for (const MatrixCell& c : matrix.cells()) cells[CellKey(c.model(), c.version(), c.device())] = &c;
  auto status = [&](const std::string& m, const std::string& v, const std::string& d) {
    auto it = cells.find(CellKey(m, v, d));
    return Symbol(it == cells.end() ? "" : it->second->status());
  };
  std::string out =
      "# Compatibility matrix\n\n"
      "<!-- Generated by `ttt-gov matrix` from governance/compat/matrix.json; never edit by hand. -->\n\n";
  const MatrixEnvironment& env = matrix.environment();
  absl::StrAppend(&out, "Generated ", env.generated(), " at commit `", env.head_commit().substr(0, 12), "` with ",
                  env.compiler(), " on ", env.machine(), ".\n\n",
                  "Statuses: pass, fail, build-fail, skip (the model does not target the device), known-fail "
                  "(listed in governance/matrix.baseline), unexpected-pass, perf-regression; \"not run\" = no "
                  "result recorded yet (`ttt-gov matrix --versions V` fills it).\n");
  // Each column's cells may come from another run than the header's commit: name the commit of every column.
  std::map<std::string, std::set<std::string>> commits;
  for (const MatrixCell& c : matrix.cells()) {
    if (!c.commit().empty()) commits[c.version()].insert(c.commit().substr(0, 12));
  }
  absl::StrAppend(&out, "\nLibrary commit of each column:");
  for (const std::string& v : matrix.versions()) {
    const auto it = commits.find(v);
    const std::string named = it == commits.end() ? std::string("not run") : absl::StrJoin(it->second, "`, `");
    const bool quoted = it != commits.end();
    absl::StrAppend(&out, " ", v, " = ", quoted ? "`" : "", named, quoted ? "`" : "",
                    &v == &matrix.versions(matrix.versions_size() - 1) ? ".\n" : ";");
  }
  absl::StrAppend(&out, RenderApiSection(matrix));
  const std::string latest = matrix.versions().empty() ? "" : matrix.versions(matrix.versions_size() - 1);
  absl::StrAppend(&out, "\n## Latest version (", latest, "): model × device\n\n| model |");
  for (const std::string& d : matrix.devices()) absl::StrAppend(&out, " ", d, " |");
  absl::StrAppend(&out, "\n|---|");
  for (int i = 0; i < matrix.devices_size(); ++i) absl::StrAppend(&out, "---|");
  for (const std::string& m : matrix.models()) {
    absl::StrAppend(&out, "\n| ", m, " |");
    for (const std::string& d : matrix.devices()) absl::StrAppend(&out, " ", status(m, latest, d), " |");
  }
  absl::StrAppend(&out, "\n");
  for (const std::string& d : matrix.devices()) {
    absl::StrAppend(&out, "\n## ", d, ": model × library version\n\n| model |");
    for (const std::string& v : matrix.versions()) absl::StrAppend(&out, " ", v, " |");
    absl::StrAppend(&out, "\n|---|");
    for (int i = 0; i < matrix.versions_size(); ++i) absl::StrAppend(&out, "---|");
    for (const std::string& m : matrix.models()) {
      absl::StrAppend(&out, "\n| ", m, " |");
      for (const std::string& v : matrix.versions()) absl::StrAppend(&out, " ", status(m, v, d), " |");
    }
    absl::StrAppend(&out, "\n");
  }
  bool any_metric = false;
  for (const MatrixCell& c : matrix.cells()) any_metric |= c.test_seconds() > 0;
  if (any_metric) {
    absl::StrAppend(&out, "\n## Measurements\n\n"
                          "Accuracy is against the model's llama.cpp reference logits (worst case over its reference "
                          "prompts and formats); tokens/s is a single-sequence greedy decode on this machine (on the "
                          "emulated Tenstorrent devices: the speed of the CPU emulation, not of the device).\n\n"
                          "| model | version | device | mode | status | PCC | top-1 | logit error | tokens/s | test time (s) |\n"
                          "|---|---|---|---|---|---|---|---|---|---|\n");
    for (const MatrixCell& c : matrix.cells()) {
      if (c.status() == "skip") continue;
      absl::StrAppend(&out, "| ", c.model(), " | ", c.version(), " | ", c.device(), " | ",
                      c.mode().empty() ? "-" : c.mode(), " | ", c.status(), " | ",
                      c.has_pcc() ? absl::StrFormat("%.5f", c.pcc()) : "-", " | ",
                      c.has_top1() ? absl::StrFormat("%.1f%%", 100 * c.top1()) : "-", " | ",
                      c.logit_error() > 0 ? absl::StrFormat("%.2e", c.logit_error()) : "-", " | ",
                      c.tokens_per_s() > 0 ? absl::StrFormat("%.0f", c.tokens_per_s()) : "-", " | ",
                      absl::StrFormat("%.1f", c.test_seconds()), " |\n");
    }
  }
  // Why each cell that did not pass did not: the first compiler error of a build-fail, the missed target, the
  // baseline's reason.
  std::string why;
  for (const MatrixCell& c : matrix.cells()) {
    if (c.status() == "pass" || c.status() == "skip" || c.reason().empty()) continue;
    absl::StrAppend(&why, "- ", CellKey(c.model(), c.version(), c.device()), ": ", c.status(), ": `", c.reason(), "`\n");
  }
  if (!why.empty()) absl::StrAppend(&out, "\n## Why cells did not pass\n\n", why);
  return out;
}

absl::Status WriteMatrix(const std::string& root, const Matrix& matrix) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  const auto status = google::protobuf::util::MessageToJsonString(matrix, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  if (absl::Status s = WriteTextFile(root + "/" + kMatrixJsonPath, json); !s.ok()) return s;
  return WriteTextFile(root + "/" + kCompatibilityPath, RenderCompatibility(matrix));
}

Problems CheckMatrix(const std::string& root, const std::string& zoo_build_dir) {
  Problems problems;
  absl::StatusOr<Matrix> matrix = LoadMatrix(root);
  if (!matrix.ok()) {
    problems.push_back({kMatrixJsonPath, 0, std::string(matrix.status().message()) + ": run `ttt-gov matrix`"});
    return problems;
  }
  absl::StatusOr<MatrixAxes> axes = DiscoverAxes({.root = root, .build_dir = {}, .versions = {}, .models = {}, .devices = {}, .jobs = 2});
  if (!axes.ok()) {
    problems.push_back({kMatrixJsonPath, 0, std::string(axes.status().message())});
    return problems;
  }
  auto same = [&](const char* what, const google::protobuf::RepeatedPtrField<std::string>& recorded,
                  const std::vector<std::string>& found) {
    if (std::vector<std::string>(recorded.begin(), recorded.end()) != found) {
      problems.push_back({kMatrixJsonPath, 0,
                          absl::StrCat("records ", what, " [", absl::StrJoin(recorded, ", "), "] but the tree has [",
                                       absl::StrJoin(found, ", "), "]: run `ttt-gov matrix` for the new ones")});
    }
  };
  same("versions", matrix->versions(), axes->versions);
  same("models", matrix->models(), axes->models);
  same("devices", matrix->devices(), axes->devices);
  absl::StatusOr<std::string> md = ReadTextFile(root + "/" + kCompatibilityPath);
  if (!md.ok() || *md != RenderCompatibility(*matrix)) {
    problems.push_back({kCompatibilityPath, 0, "is not what governance/compat/matrix.json renders to (edited by hand?): "
                                               "run `ttt-gov matrix --render`"});
  }
  absl::StatusOr<std::map<std::string, std::string>> baseline = LoadMatrixBaseline(root);
  if (!baseline.ok()) problems.push_back({kMatrixBaselinePath, 0, std::string(baseline.status().message())});
  for (const ApiVerdict& v : matrix->api()) {
    if (v.status() == "breaks") {
      problems.push_back({kMatrixJsonPath, 0,
                          absl::StrCat("the public API of ", v.version(), " has ", v.breaks(), " break(s) against ",
                                       v.against(), " on a ", v.step(), " step (first: ",
                                       v.first_breaks().empty() ? "?" : v.first_breaks(0),
                                       "): restore them, or accept each in ", kApiBaselinePath,
                                       " and run `ttt-gov matrix --versions ", v.version(), "`")});
    }
  }
  for (const MatrixCell& c : matrix->cells()) {
    if (IsFailingStatus(c.status())) {
      problems.push_back({kMatrixJsonPath, 0, absl::StrCat(CellKey(c.model(), c.version(), c.device()), " is ",
                                                           c.status(), ": fix it or list it in ", kMatrixBaselinePath)});
    }
  }
  if (zoo_build_dir.empty()) return problems;
  absl::StatusOr<std::vector<ZooEntry>> models = LoadZooModels(root);
  if (!models.ok()) return problems;
  for (const ZooEntry& entry : *models) {
    const std::string build = zoo_build_dir + "/" + entry.model.name();
    if (!fs::exists(build + "/CTestTestfile.cmake")) continue;
    MatrixCell fresh;
    if (TargetFor(entry.model, "cpu") == nullptr) continue;
    // Only the device-labelled tests (seconds): the CTest zoo.<model> of this run has just run all of them.
    RunTests(build, "cpu", entry.model, 2, /*device_tests_only=*/true, &fresh);
    const std::string key = CellKey(entry.model.name(), kHead, "cpu");
    // Correctness only: CI machines are shared, and a speed judged there would fail CI whenever a neighbour is
    // busy. Speed is judged by the on-demand `ttt-gov matrix` run (perf-regression), which records it.
    if (fresh.status() == "perf-regression") fresh.set_status("pass");
    const std::string judged =
        JudgeCell(fresh.status(), baseline.ok() && BaselineReason(*baseline, entry.model.name(), kHead, "cpu"));
    std::string recorded = "not run";
    for (const MatrixCell& c : matrix->cells()) {
      if (CellKey(c.model(), c.version(), c.device()) == key) recorded = c.status();
    }
    if (judged != recorded) {
      problems.push_back({kMatrixJsonPath, 0,
                          absl::StrCat(key, " is recorded as ", recorded, " but this build's tests give ", judged,
                                       fresh.reason().empty() ? "" : " (" + fresh.reason() + ")",
                                       ": run `ttt-gov matrix --versions HEAD` and commit the result")});
    }
  }
  return problems;
}

}  // namespace ttt::gov
