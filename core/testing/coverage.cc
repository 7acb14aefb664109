#include "core/testing/coverage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/formats/bert/bert_checkpoint.h"
#include "core/formats/checkpoint.h"
#include "core/blocks/model_modules.h"
#include "core/runtime/logging.h"
#include "core/specs/layer_groups.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "nlohmann/json.hpp"

namespace ttt::testing {

namespace fs = std::filesystem;
using google::protobuf::FieldDescriptor;

namespace {

void Flatten(const google::protobuf::Message& m, const std::string& prefix, bool nested,
             std::map<std::string, std::string>& out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    // Names identify a model, not a spec value a test could cover.
    if (f->is_repeated() || f->name() == "name") continue;
    const std::string key = prefix + f->name();
    // Unset fields count with their default: "qkv_bias: false" is a value a test covers too.
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (nested && r->HasField(m, f)) Flatten(r->GetMessage(m, f), key + ".", nested, out);
        break;
      case FieldDescriptor::CPPTYPE_BOOL: out[key] = r->GetBool(m, f) ? "true" : "false"; break;
      case FieldDescriptor::CPPTYPE_INT32: out[key] = absl::StrCat(r->GetInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_INT64: out[key] = absl::StrCat(r->GetInt64(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT32: out[key] = absl::StrCat(r->GetUInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT64: out[key] = absl::StrCat(r->GetUInt64(m, f)); break;
      case FieldDescriptor::CPPTYPE_FLOAT: out[key] = absl::StrFormat("%g", r->GetFloat(m, f)); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: out[key] = absl::StrFormat("%g", r->GetDouble(m, f)); break;
      case FieldDescriptor::CPPTYPE_ENUM: out[key] = r->GetEnum(m, f)->name(); break;
      case FieldDescriptor::CPPTYPE_STRING: out[key] = r->GetString(m, f); break;
    }
  }
}

nlohmann::json ToJson(const CoverageRecord& r) {
  return {{"kind", r.kind}, {"mode", r.mode}, {"device", r.device}, {"dtype", r.dtype}, {"model", r.model},
          {"values", r.values}};
}

}  // namespace

std::map<std::string, std::string> SpecValues(const google::protobuf::Message& spec, bool nested) {
  std::map<std::string, std::string> out;
  Flatten(spec, "", nested, out);
  return out;
}

std::vector<CoverageRecord> ModelCoverageRecords(const Validated<spec::ModelSpec>& spec, const std::string& device) {
  const spec::ModelSpec& s = *spec;
  std::vector<CoverageRecord> out;
  auto add = [&](const std::string& kind, const google::protobuf::Message& m, bool nested, bool stateful) {
    for (const char* mode : {"prefill", "decode"}) {
      if (!stateful && std::string(mode) == "decode") continue;  // same math in both modes
      out.push_back(CoverageRecord{kind, mode, device, "", s.name(), SpecValues(m, nested)});
    }
  };
  // Every module kind the model holds (its spec values; decode too where it keeps a KV cache), then the
  // patterns. One record per instance of each distinct layer spec (ModelSpec.layer, each of its layer_groups).
  const auto modules = ListModelModules(spec);
  std::vector<ModuleInstance> instances;
  std::vector<const spec::DecoderLayerSpec*> layer_specs;
  for (uint32_t l = 0; modules.ok() && l < s.num_layers(); ++l) {
    const spec::DecoderLayerSpec* layer = &LayerSpecOf(s, l);
    if (std::find(layer_specs.begin(), layer_specs.end(), layer) != layer_specs.end()) continue;
    layer_specs.push_back(layer);
    instances.insert(instances.end(), modules->layers[l].begin(), modules->layers[l].end());
  }
  if (modules.ok()) instances.insert(instances.end(), modules->model.begin(), modules->model.end());
  for (const ModuleInstance& m : instances) {
    add(m.descriptor->kind, *m.spec, true, m.descriptor->has_kv_cache());
  }
  for (const spec::DecoderLayerSpec* layer : layer_specs) add("decoder_layer", *layer, false, true);
  add("causal_lm", s, false, true);
  return out;
}

std::string CoverageDir(const std::string& dir) {
  if (!dir.empty()) return dir;
  const char* env = std::getenv("TTT_COVERAGE_DIR");
  return env ? env : "";
}

absl::Status AppendCoverage(const std::vector<CoverageRecord>& records, const std::string& dir_in) {
  const std::string dir = CoverageDir(dir_in);
  if (dir.empty() || records.empty()) return absl::OkStatus();
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string path = absl::StrCat(dir, "/coverage-", getpid(), ".jsonl");
  std::string text;
  for (const auto& r : records) absl::StrAppend(&text, ToJson(r).dump(), "\n");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open coverage file '", path,
                                               "': check TTT_COVERAGE_DIR is a writable directory"));
  }
  // One process writes its own file, but threads (or forks) of it may share it: lock, write whole lines.
  ::flock(fd, LOCK_EX);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::flock(fd, LOCK_UN);
  ::close(fd);
  if (done != text.size()) return absl::UnavailableError(absl::StrCat("short write to coverage file '", path, "'"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CoverageRecord>> ReadCoverageDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("coverage directory '", dir,
                                            "' does not exist; run tests with TTT_COVERAGE_DIR set to it"));
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<CoverageRecord> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.empty()) continue;
      try {
        const auto j = nlohmann::json::parse(line);
        CoverageRecord r;
        r.kind = j.at("kind").get<std::string>();
        r.mode = j.value("mode", "");
        r.device = j.value("device", "");
        r.dtype = j.value("dtype", "");
        r.model = j.value("model", "");
        if (j.contains("values")) r.values = j.at("values").get<std::map<std::string, std::string>>();
        out.push_back(std::move(r));
      } catch (const std::exception& e) {
        return absl::InvalidArgumentError(absl::StrCat("coverage file ", f.string(), " line ", n,
                                                       " is not a coverage record (", e.what(), ")"));
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<CoverageRecord>> ZooCoverageRecords(const std::string& zoo_dir) {
  std::error_code ec;
  if (!fs::is_directory(zoo_dir, ec)) {
    return absl::NotFoundError(absl::StrCat("zoo directory '", zoo_dir, "' does not exist; pass --zoo <repo>/zoo"));
  }
  std::vector<CoverageRecord> out;
  std::vector<fs::path> models;
  for (const auto& e : fs::directory_iterator(zoo_dir)) {
    if (fs::exists(e.path() / "model.textproto")) models.push_back(e.path());
  }
  std::sort(models.begin(), models.end());
  for (const auto& m : models) {
    // Paths the model's files name: quoted strings in model.textproto, ${CMAKE_CURRENT_SOURCE_DIR}/... in
    // CMakeLists.txt; each may be a checkpoint or a folder holding one.
    std::vector<fs::path> candidates;
    for (const char* file : {"model.textproto", "CMakeLists.txt"}) {
      std::ifstream in(m / file);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      static const std::regex quoted("\"([^\"]+)\""), cmake("\\$\\{CMAKE_CURRENT_SOURCE_DIR\\}/([^ \")]+)");
      for (const auto* re : {&quoted, &cmake}) {
        for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it) {
          const fs::path p = fs::path((*it)[1].str()).is_absolute() ? fs::path((*it)[1].str()) : m / (*it)[1].str();
          if (fs::exists(p, ec)) candidates.push_back(p);
        }
      }
    }
    std::vector<fs::path> tries;
    for (const auto& c : candidates) {
      if (!fs::is_directory(c, ec)) {
        tries.push_back(c);
        continue;
      }
      if (fs::exists(c / "config.json")) tries.push_back(c);
      if (fs::exists(c / "hf" / "config.json")) tries.push_back(c / "hf");
      for (const auto& e : fs::directory_iterator(c)) {
        if (e.path().extension() == ".gguf" || e.path().extension() == ".bin") tries.push_back(e.path());
      }
    }
    bool found = false, encoder = false;
    for (const auto& t : tries) {
      // The coverage report covers the decoder modules' spec values; an encoder's (BERT) are not recorded yet.
      if (formats::IsEncoderCheckpoint(t.string())) {
        encoder = true;
        break;
      }
      auto ckpt = formats::LoadCheckpoint(t.string());
      if (!ckpt.ok()) continue;
      auto records = ModelCoverageRecords(ckpt->spec);
      for (auto& r : records) r.model = m.filename().string();
      out.insert(out.end(), records.begin(), records.end());
      found = true;
      break;
    }
    if (!found && !encoder) spdlog::warn("ttt coverage: no loadable checkpoint found for zoo model {}", m.string());
  }
  return out;
}

CoverageReport MergeCoverage(const std::vector<CoverageRecord>& tested, const std::vector<CoverageRecord>& used) {
  CoverageReport rep;
  auto fields = [](const CoverageRecord& r) {
    std::map<std::string, std::string> f = r.values;
    f["mode"] = r.mode;
    f["device"] = r.device;
    if (!r.dtype.empty()) f["dtype"] = r.dtype;
    return f;
  };
  for (const auto& r : tested) {
    KindCoverage& k = rep.kinds[r.kind];
    ++k.records;
    for (const auto& [f, v] : fields(r)) k.tested[f].insert(v);
  }
  for (const auto& r : used) {
    KindCoverage& k = rep.kinds[r.kind];
    for (const auto& [f, v] : fields(r)) {
      if (k.tested[f].count(v)) continue;
      k.untested[f].insert(v);
      k.untested_by[f + "=" + v].insert(r.model);
    }
  }
  return rep;
}

std::string CoverageReport::Text() const {
  std::string s;
  for (const auto& [kind, k] : kinds) {
    absl::StrAppend(&s, kind, " (", k.records, " test records)\n");
    std::set<std::string> names;
    for (const auto& [f, v] : k.tested) names.insert(f);
    for (const auto& [f, v] : k.untested) names.insert(f);
    for (const auto& f : names) {
      auto t = k.tested.find(f);
      absl::StrAppend(&s, "  ", f, ": tested {", t == k.tested.end() ? "" : absl::StrJoin(t->second, ", "), "}");
      if (auto u = k.untested.find(f); u != k.untested.end()) {
        std::vector<std::string> parts;
        for (const auto& v : u->second) {
          parts.push_back(absl::StrCat(v, " (", absl::StrJoin(k.untested_by.at(f + "=" + v), ", "), ")"));
        }
        absl::StrAppend(&s, "; UNTESTED, used by zoo: {", absl::StrJoin(parts, ", "), "}");
      }
      absl::StrAppend(&s, "\n");
    }
  }
  return s;
}

std::string CoverageReport::Json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [kind, k] : kinds) {
    nlohmann::json kj;
    kj["records"] = k.records;
    for (const auto& [f, v] : k.tested) kj["tested"][f] = v;
    for (const auto& [f, v] : k.untested) kj["untested"][f] = v;
    for (const auto& [f, v] : k.untested_by) kj["untested_by"][f] = v;
    j[kind] = std::move(kj);
  }
  return j.dump(2);
}

}  // namespace ttt::testing
