// The rows of `ttt bench` and their output formats, field for field those of llama.cpp's llama-bench
// (md, csv, json, jsonl), so scripts written for llama-bench read them; ttt's own fields follow.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ttt::cli {

// One test (pp<n_prompt> or tg<n_gen>) of one model configuration.
struct BenchRow {
  // llama-bench's fields, with their meaning there.
  std::string build_commit;     // short commit of the build
  int64_t build_number = 0;     // commits in the build's history
  std::string cpu_info;         // the CPU's model name
  std::string backends;         // compute backends ("CPU,BLAS": own kernels and OpenBLAS's f32 GEMM)
  std::string model_filename;   // the path benchmarked
  std::string model_type;       // "<family> <params> <weights>", as llama-bench's "llama 7B Q4_0"
  int64_t model_size = 0;       // bytes of weights
  int64_t model_n_params = 0;   // parameters
  int64_t n_batch = 0;          // tokens per prefill step (ttt's prefill chunk; also n_ubatch)
  int64_t n_threads = 0;
  std::string type_k, type_v;   // the KV cache's dtype
  bool use_mmap = true;         // checkpoints are mapped, not read
  int64_t n_prompt = 0, n_gen = 0;
  std::string test_time;        // when the test ran, ISO 8601 UTC
  std::vector<int64_t> samples_ns;  // each repetition's duration
  // ttt's own.
  std::string weight_type;      // the --weights value benchmarked ("config": the hardware config's own)
  std::string device, mode, cpu_isa;
  std::string limit;            // the roofline the test is held against
  double limit_value = 0;       // FLOP/s (pp: f32 GEMM peak) or bytes/s (tg: memory read bandwidth)
  double achieved = 0;          // the same unit, at the mean speed

  // Tokens/s of each sample, their mean and sample standard deviation; ns likewise.
  std::vector<double> samples_ts() const;
  double avg_ts() const;
  double stddev_ts() const;
  int64_t avg_ns() const;
  int64_t stddev_ns() const;
};

// llama-bench's field list in its order (samples_ns and samples_ts come last in JSON, as there).
const std::vector<std::string>& LlamaBenchFields();

// OK when WriteBenchRows knows `format`; else an error naming the formats known.
absl::Status CheckBenchFormat(const std::string& format);

// Writes `rows` as md (ttt's table: roofline fractions and ratios), csv, json or jsonl; an unknown format is
// an error naming the ones known.
absl::Status WriteBenchRows(const std::vector<BenchRow>& rows, const std::string& format, std::ostream& out);

}  // namespace ttt::cli
