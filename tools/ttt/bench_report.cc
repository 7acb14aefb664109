#include "tools/ttt/bench_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"

namespace ttt::cli {
namespace {

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

// Sample standard deviation, as llama-bench's (0 for fewer than 2 samples).
double StdDev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double mean = Mean(v);
  double sq = 0;
  for (double x : v) sq += (x - mean) * (x - mean);
  return std::sqrt(sq / (v.size() - 1));
}

std::vector<double> AsDouble(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

// llama-bench's fields with this row's values, then ttt's own. Fields without a meaning on ttt's cpu
// (GPU offload, CPU masks and polling) hold what a CPU-only llama-bench run reports.
nlohmann::ordered_json ToJson(const BenchRow& r) {
  nlohmann::ordered_json j = {
      {"build_commit", r.build_commit}, {"build_number", r.build_number}, {"cpu_info", r.cpu_info},
      {"gpu_info", ""}, {"backends", r.backends}, {"model_filename", r.model_filename},
      {"model_type", r.model_type}, {"model_size", r.model_size}, {"model_n_params", r.model_n_params},
      {"n_batch", r.n_batch}, {"n_ubatch", r.n_batch}, {"n_threads", r.n_threads}, {"cpu_mask", "0x0"},
      {"cpu_strict", false}, {"poll", 0}, {"type_k", r.type_k}, {"type_v", r.type_v}, {"n_gpu_layers", 0},
      {"split_mode", "none"}, {"main_gpu", 0}, {"no_kv_offload", false}, {"flash_attn", false},
      {"tensor_split", "0.00"}, {"use_mmap", r.use_mmap}, {"embeddings", false}, {"n_prompt", r.n_prompt},
      {"n_gen", r.n_gen}, {"test_time", r.test_time}, {"avg_ns", r.avg_ns()}, {"stddev_ns", r.stddev_ns()},
      {"avg_ts", r.avg_ts()}, {"stddev_ts", r.stddev_ts()}, {"samples_ns", r.samples_ns},
      {"samples_ts", r.samples_ts()}};
  j["weight_type"] = r.weight_type;
  j["device"] = r.device;
  j["mode"] = r.mode;
  j["cpu_isa"] = r.cpu_isa;
  j["limit"] = r.limit;
  j["limit_value"] = r.limit_value;
  j["achieved"] = r.achieved;
  j["fraction_of_limit"] = r.limit_value > 0 ? r.achieved / r.limit_value : 0;
  return j;
}

// As llama-bench's csv: the field list as header, every value quoted, booleans as 0/1.
void WriteCsv(const std::vector<BenchRow>& rows, std::ostream& out) {
  std::vector<std::string> header = LlamaBenchFields();
  const nlohmann::ordered_json sample = rows.empty() ? nlohmann::ordered_json::object() : ToJson(rows.front());
  for (const auto& [key, value] : sample.items()) {
    if (!value.is_array() && std::find(header.begin(), header.end(), key) == header.end()) header.push_back(key);
  }
  out << absl::StrJoin(header, ",") << "\n";
  for (const BenchRow& r : rows) {
    const nlohmann::ordered_json j = ToJson(r);
    std::vector<std::string> values;
    for (const std::string& key : header) {
      const nlohmann::ordered_json& v = j.at(key);
      std::string text = v.is_string() ? v.get<std::string>() : v.is_boolean() ? (v.get<bool>() ? "1" : "0") : v.dump();
      std::string quoted = "\"";
      for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      values.push_back(quoted + "\"");
    }
    out << absl::StrJoin(values, ",") << "\n";
  }
}

// ttt's table: each test against its roofline, and each weight format against the first at the same test.
void WriteMarkdown(const std::vector<BenchRow>& rows, std::ostream& out) {
  out << "| model | weights | threads | MB/token | test | t/s | vs first | reached of limit | fraction |\n"
         "|---|---|---|---|---|---|---|---|---|\n";
  for (const BenchRow& r : rows) {
    const bool pp = r.n_prompt > 0;
    double first = 0;
    for (const BenchRow& f : rows) {
      if (f.n_prompt == r.n_prompt && f.n_gen == r.n_gen && f.n_threads == r.n_threads) {
        first = f.avg_ts();
        break;
      }
    }
    out << absl::StrFormat(
        "| %s | %s | %d | %.1f | %s | %.2f ± %.2f | %.2fx | %s | %.0f%% |\n", r.model_filename, r.weight_type,
        r.n_threads, r.model_size / 1e6, pp ? absl::StrCat("pp", r.n_prompt) : absl::StrCat("tg", r.n_gen),
        r.avg_ts(), r.stddev_ts(), r.avg_ts() / first,
        pp ? absl::StrFormat("%.1f of %.1f GFLOP/s", r.achieved / 1e9, r.limit_value / 1e9)
           : absl::StrFormat("%.1f of %.1f GB/s", r.achieved / 1e9, r.limit_value / 1e9),
        100 * r.achieved / r.limit_value);
  }
}

}  // namespace

std::vector<double> BenchRow::samples_ts() const {
  std::vector<double> ts;
  for (int64_t ns : samples_ns) ts.push_back(1e9 * (n_prompt + n_gen) / static_cast<double>(ns));
  return ts;
}
double BenchRow::avg_ts() const { return Mean(samples_ts()); }
double BenchRow::stddev_ts() const { return StdDev(samples_ts()); }
int64_t BenchRow::avg_ns() const { return std::llround(Mean(AsDouble(samples_ns))); }
int64_t BenchRow::stddev_ns() const { return std::llround(StdDev(AsDouble(samples_ns))); }

const std::vector<std::string>& LlamaBenchFields() {
  static const std::vector<std::string> fields = {
      "build_commit", "build_number", "cpu_info",      "gpu_info",     "backends",   "model_filename",
      "model_type",   "model_size",   "model_n_params", "n_batch",     "n_ubatch",   "n_threads",
      "cpu_mask",     "cpu_strict",   "poll",           "type_k",      "type_v",     "n_gpu_layers",
      "split_mode",   "main_gpu",     "no_kv_offload",  "flash_attn",  "tensor_split", "use_mmap",
      "embeddings",   "n_prompt",     "n_gen",          "test_time",   "avg_ns",     "stddev_ns",
      "avg_ts",       "stddev_ts"};
  return fields;
}

absl::Status CheckBenchFormat(const std::string& format) {
  if (format == "md" || format == "csv" || format == "json" || format == "jsonl") return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("-o ", format, ": use md, csv, json or jsonl"));
}

absl::Status WriteBenchRows(const std::vector<BenchRow>& rows, const std::string& format, std::ostream& out) {
  TTT_RETURN_IF_ERROR(CheckBenchFormat(format));
  if (format == "md") {
    WriteMarkdown(rows, out);
  } else if (format == "csv") {
    WriteCsv(rows, out);
  } else if (format == "json") {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const BenchRow& r : rows) all.push_back(ToJson(r));
    out << all.dump(2) << "\n";
  } else {
    for (const BenchRow& r : rows) out << ToJson(r).dump() << "\n";
  }
  return absl::OkStatus();
}

}  // namespace ttt::cli
