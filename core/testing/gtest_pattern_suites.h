// gtest registration of the module-by-module suites of an encoder or encoder-decoder checkpoint
// (pattern_suites.h), as RegisterCheckpointSuites (gtest_suite.h) does for decoders: in a zoo model's test,
//   static const bool registered = ttt::testing::RegisterEncoderSuites("Bert", MODEL_DATA "/hf");
// registers "<name>Suite", every module of the exact f32 model, and "<name>Suite<Dtype>", every module with its
// projections stored in `dtype`, each against the float64 math of its own weights, one gtest per case. A model
// that does not load fails one test "<suite>.setup" with the loader's error.
#pragma once

#include <cctype>
#include <memory>
#include <string>

#include "core/factory/encoder_loader.h"
#include "core/factory/seq2seq_loader.h"
#include "core/testing/gtest_suite.h"
#include "core/testing/pattern_suites.h"

namespace ttt::testing {
namespace internal {

// `load(dtype or nullopt)` -> a model; `names(model)`, `run(model)`: its cases and its report.
template <typename Model, typename Load, typename Names, typename Run>
bool RegisterPatternSuites(const std::string& name, DType dtype, Load load, Names names, Run run, const char* file,
                           int line) {
  std::string dtype_name(DTypeName(dtype));
  dtype_name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(dtype_name[0])));
  for (const auto& [suite, weights] : {std::pair{name + "Suite", std::optional<DType>()},
                                       std::pair{name + "Suite" + dtype_name, std::optional<DType>(dtype)}}) {
    absl::StatusOr<std::shared_ptr<const Model>> model = load(weights);
    if (!model.ok()) {
      const absl::Status status = model.status();
      RegisterReportTests(suite, {"setup"}, [status]() -> absl::StatusOr<Report> { return status; }, file, line);
      continue;
    }
    std::shared_ptr<const Model> m = *std::move(model);
    RegisterReportTests(suite, names(*m), [m, run]() -> absl::StatusOr<Report> { return run(*m); }, file, line);
  }
  return true;
}

}  // namespace internal

inline bool RegisterEncoderSuites(const std::string& name, const std::string& path, DType dtype = DType::kBFP8,
                                  const char* file = __FILE__, int line = __LINE__) {
  auto load = [path](std::optional<DType> weights) -> absl::StatusOr<std::shared_ptr<const Encoder>> {
    EncoderLoadOptions options;
    options.require_tokenizer = false;
    options.run_as.linear_weight_dtype = weights;
    absl::StatusOr<LoadedEncoder> loaded = LoadEncoder(path, options);
    if (!loaded.ok()) return loaded.status();
    return std::shared_ptr<const Encoder>(std::move(loaded->encoder));
  };
  return internal::RegisterPatternSuites<Encoder>(
      name, dtype, load, [](const Encoder& e) { return EncoderCaseNames(e); },
      [](const Encoder& e) { return TestEncoderModules(e); }, file, line);
}

inline bool RegisterSeq2SeqSuites(const std::string& name, const std::string& path, DType dtype = DType::kBFP8,
                                  const char* file = __FILE__, int line = __LINE__) {
  auto load = [path](std::optional<DType> weights) -> absl::StatusOr<std::shared_ptr<const Seq2SeqLm>> {
    Seq2SeqLoadOptions options;
    options.require_tokenizer = false;
    options.run_as.linear_weight_dtype = weights;
    absl::StatusOr<LoadedSeq2Seq> loaded = LoadSeq2Seq(path, options);
    if (!loaded.ok()) return loaded.status();
    return std::shared_ptr<const Seq2SeqLm>(std::move(loaded->model));
  };
  return internal::RegisterPatternSuites<Seq2SeqLm>(
      name, dtype, load, [](const Seq2SeqLm& m) { return Seq2SeqCaseNames(m); },
      [](const Seq2SeqLm& m) { return TestSeq2SeqModules(m); }, file, line);
}

}  // namespace ttt::testing
