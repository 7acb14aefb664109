// Test coverage of the spec space: every TestSuite run appends what it tested (module kind, the spec's field
// values, device, mode, dtype) to a JSON-lines file per process under $TTT_COVERAGE_DIR; MergeCoverage
// folds a test run's records into a report that lists, per module kind and field, the values tested and
// the values zoo models use that no test covered (`ttt coverage`).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"
#include "google/protobuf/message.h"

namespace ttt::testing {

struct CoverageRecord {
  std::string kind;    // attention, mlp, norm, token_embedding, lm_head, decoder_layer, causal_lm
  std::string mode;    // prefill, decode
  std::string device;  // cpu, ...
  std::string dtype;   // weight storage; "" when not applicable (a zoo model's use)
  std::string model;   // where the record comes from (model name)
  std::map<std::string, std::string> values;  // spec field path -> value ("rope.convention" -> "INTERLEAVED")
};

// The set scalar fields of `spec` by path; nested messages are descended when `nested` (attention's rope).
std::map<std::string, std::string> SpecValues(const google::protobuf::Message& spec, bool nested);

// The records of every module kind a model of `spec` runs (prefill and decode; no dtype).
std::vector<CoverageRecord> ModelCoverageRecords(const Validated<spec::ModelSpec>& spec, const std::string& device = "cpu");

// Appends `records` to <dir>/coverage-<pid>.jsonl (dir "" -> $TTT_COVERAGE_DIR; nothing when unset), one
// JSON object a line, under an exclusive lock so concurrent writers never interleave lines.
absl::Status AppendCoverage(const std::vector<CoverageRecord>& records, const std::string& dir = "");
std::string CoverageDir(const std::string& dir = "");  // dir, else $TTT_COVERAGE_DIR, else ""

// Every record of every *.jsonl file in `dir`; a malformed line is an error naming file and line.
absl::StatusOr<std::vector<CoverageRecord>> ReadCoverageDir(const std::string& dir);

// The zoo's models: for each zoo/<model>/ with a model.textproto, the checkpoint it uses (a path named in
// model.textproto or its CMakeLists.txt, relative to the model folder), loaded for its spec.
absl::StatusOr<std::vector<CoverageRecord>> ZooCoverageRecords(const std::string& zoo_dir);

struct KindCoverage {
  std::map<std::string, std::set<std::string>> tested;    // field -> values tested
  std::map<std::string, std::set<std::string>> untested;  // field -> values zoo models use, never tested
  std::map<std::string, std::set<std::string>> untested_by;  // "field=value" -> models using it
  int64_t records = 0;
};
struct CoverageReport {
  std::map<std::string, KindCoverage> kinds;
  std::string Text() const;
  std::string Json() const;
};

// Fields tested: the spec values plus "mode", "device" and "dtype".
CoverageReport MergeCoverage(const std::vector<CoverageRecord>& tested, const std::vector<CoverageRecord>& used);

}  // namespace ttt::testing
