#include "core/testing/report.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace ttt::testing {

std::string CaseResult::FailureText() const {
  std::string s = absl::StrCat(kind, " ", module_path, source_path.empty() ? "" : " (mirrors " + source_path + ")",
                               ", ", mode, ", ", dtype, ", ", tokens, " tokens, against the float64 reference of ",
                               reference == "source-checkpoint" ? "the source checkpoint's weights"
                                                                : "its own weights", ":");
  for (const auto& f : failures) absl::StrAppend(&s, "\n  accuracy: ", f);
  for (const auto& f : expectations_missed) absl::StrAppend(&s, "\n  expectation: ", f);
  absl::StrAppend(&s, absl::StrFormat("\n  pcc %.6f  max|err| %.4g  mean|err| %.4g  max|ref| %.4g", metrics.pcc,
                                      metrics.max_abs_error, metrics.mean_abs_error, metrics.max_abs_reference));
  if (metrics.top1 >= 0) absl::StrAppend(&s, absl::StrFormat("  top1 %.3f", metrics.top1));
  absl::StrAppend(&s, absl::StrFormat("\n  worst at row %d, column %d", metrics.worst_row, metrics.worst_col));
  return s;
}

bool Report::passed() const {
  for (const auto& c : cases) {
    if (!c.passed()) return false;
  }
  return true;
}

const CaseResult* Report::Find(const std::string& name) const {
  for (const auto& c : cases) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> Report::Culprits() const {
  std::set<std::string> failing;
  for (const auto& c : cases) {
    if (!c.failures.empty()) failing.insert(c.module_path);
  }
  std::vector<std::string> out;
  for (const auto& m : failing) {
    // A module contains another when the other's path extends it ("layers.1" ⊃ "layers.1.mlp"); the
    // whole model ("model") contains everything.
    bool has_failing_child = false;
    for (const auto& other : failing) {
      if (other == m) continue;
      if (m == "model" || (other.size() > m.size() && other.compare(0, m.size() + 1, m + ".") == 0)) {
        has_failing_child = true;
      }
    }
    if (!has_failing_child) out.push_back(m);
  }
  return out;
}

std::string Report::Text() const {
  std::string s = absl::StrFormat("TestSuite report: %s (reference: %s)\n", model, reference);
  absl::StrAppend(&s, absl::StrFormat("%-28s %-15s %-7s %-5s %10s %10s %10s %6s %9s %8s  %s\n", "case", "kind",
                                      "mode", "dtype", "pcc", "max|err|", "mean|err|", "top1", "ms", "MB", "result"));
  int failed = 0;
  for (const auto& c : cases) {
    failed += !c.passed();
    absl::StrAppend(&s, absl::StrFormat("%-28s %-15s %-7s %-5s %10.6f %10.3g %10.3g %6s %9.3f %8.3f  %s\n", c.name,
                                        c.kind, c.mode, c.dtype, c.metrics.pcc, c.metrics.max_abs_error,
                                        c.metrics.mean_abs_error,
                                        c.metrics.top1 >= 0 ? absl::StrFormat("%.3f", c.metrics.top1) : "-",
                                        c.latency_ms, c.memory_mb, c.passed() ? "ok" : "FAIL"));
  }
  absl::StrAppend(&s, absl::StrFormat("%d of %d cases passed", int(cases.size()) - failed, int(cases.size())));
  const auto culprits = Culprits();
  if (!culprits.empty()) absl::StrAppend(&s, "; culprits: ", absl::StrJoin(culprits, ", "));
  for (const auto& c : cases) {
    if (!c.passed()) absl::StrAppend(&s, "\n", c.FailureText());
  }
  return s + "\n";
}

std::string Report::Json() const {
  nlohmann::json j;
  j["model"] = model;
  j["reference"] = reference;
  j["passed"] = passed();
  j["culprits"] = Culprits();
  j["cases"] = nlohmann::json::array();
  for (const auto& c : cases) {
    const auto& m = c.metrics;
    nlohmann::json cj = {
        {"name", c.name}, {"module_path", c.module_path}, {"source_path", c.source_path}, {"kind", c.kind},
        {"mode", c.mode}, {"dtype", c.dtype}, {"device", c.device}, {"reference", c.reference},
        {"composite", c.composite}, {"tokens", c.tokens}, {"passed", c.passed()},
        {"metrics", {{"pcc", m.pcc}, {"max_abs_error", m.max_abs_error}, {"mean_abs_error", m.mean_abs_error},
                     {"max_abs_reference", m.max_abs_reference}, {"worst_row", m.worst_row},
                     {"worst_col", m.worst_col}, {"count", m.count}}},
        {"tolerance", {{"pcc", c.tolerance.pcc}, {"max_abs", c.tolerance.max_abs},
                       {"mean_abs", c.tolerance.mean_abs}, {"top1", c.tolerance.top1}}},
        {"measured", {{"latency_ms", c.latency_ms}, {"memory_mb", c.memory_mb}}},
        {"expected", {{"latency_ms", c.expect.latency_ms}, {"memory_mb", c.expect.memory_mb}}},
        {"failures", c.failures}, {"expectations_missed", c.expectations_missed}};
    if (m.top1 >= 0) cj["metrics"]["top1"] = m.top1;
    j["cases"].push_back(std::move(cj));
  }
  return j.dump(2);
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << contents;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return absl::UnavailableError(absl::StrCat("cannot write '", tmp, "': check the directory exists and is writable"));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot rename '", tmp, "' to '", path, "'"));
  }
  return absl::OkStatus();
}

absl::Status Report::WriteJson(const std::string& path) const { return WriteFileAtomically(path, Json() + "\n"); }

void JudgeAgainstTolerances(CaseResult& r) {
  // Defaults: PCC >= 0.99 for a block (TT-Transformers practice); f32 modules are held to 0.999.
  Tolerances& t = r.tolerance;
  if (t.pcc == 0) t.pcc = r.dtype == "f32" ? 0.999 : 0.99;
  const Metrics& m = r.metrics;
  if (!(m.pcc >= t.pcc)) r.failures.push_back(absl::StrFormat("pcc %.6f < %.6f", m.pcc, t.pcc));
  if (t.max_abs > 0 && !(m.max_abs_error <= t.max_abs)) {
    r.failures.push_back(absl::StrFormat("max|err| %.4g > %.4g at row %d, column %d", m.max_abs_error, t.max_abs,
                                         m.worst_row, m.worst_col));
  }
  if (t.mean_abs > 0 && !(m.mean_abs_error <= t.mean_abs)) {
    r.failures.push_back(absl::StrFormat("mean|err| %.4g > %.4g", m.mean_abs_error, t.mean_abs));
  }
  if (t.top1 > 0 && m.top1 >= 0 && !(m.top1 >= t.top1)) {
    r.failures.push_back(absl::StrFormat("top-1 agreement %.3f < %.3f", m.top1, t.top1));
  }
  if (r.expect.latency_ms > 0 && r.latency_ms > r.expect.latency_ms) {
    r.expectations_missed.push_back(
        absl::StrFormat("latency %.3f ms > expected %.3f ms", r.latency_ms, r.expect.latency_ms));
  }
  if (r.expect.memory_mb > 0 && r.memory_mb > r.expect.memory_mb) {
    r.expectations_missed.push_back(
        absl::StrFormat("memory %.3f MB > expected %.3f MB", r.memory_mb, r.expect.memory_mb));
  }
}

}  // namespace ttt::testing
