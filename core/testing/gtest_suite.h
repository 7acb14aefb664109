// GoogleTest/CTest integration for TestSuite: each case becomes its own gtest test (so CTest lists and
// reports them one by one) with the case's failure text; the suite runs once, when the first of its tests
// runs, and its JSON report is written (atomically) to $TTT_TESTSUITE_REPORT_DIR/<suite>.json when set.
// Header-only so the library itself does not depend on GoogleTest.
//
//   static const bool registered = ttt::testing::RegisterCheckpointSuites("Llama", "path/to/hf-dir");
// or, for a suite of your own:
//   static const bool registered = ttt::testing::RegisterSuiteTests(
//       "Stories260K", []() -> absl::StatusOr<std::shared_ptr<ttt::testing::TestSuite>> {
//         TTT_ASSIGN_OR_RETURN(ttt::LoadedModel loaded, ttt::LoadModel(path, "", false));
//         auto suite = std::make_shared<ttt::testing::TestSuite>(std::shared_ptr<const ttt::CausalLm>(
//             std::move(loaded.model)));
//         suite->TestEveryModule();
//         return suite;
//       });
#pragma once

#include <cctype>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/formats/checkpoint.h"
#include "core/testing/test_suite.h"
#include "gtest/gtest.h"

namespace ttt::testing {

// "layers.1.attn/decode" -> "layers_1_attn_decode": gtest names allow letters, digits and underscores.
inline std::string GTestName(const std::string& name) {
  std::string s;
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

namespace internal {
class SuiteCaseTest : public ::testing::Test {
 public:
  SuiteCaseTest(std::function<const absl::StatusOr<Report>&()> report, std::string name)
      : report_(std::move(report)), name_(std::move(name)) {}
  void TestBody() override {
    const absl::StatusOr<Report>& report = report_();
    ASSERT_TRUE(report.ok()) << report.status();
    const CaseResult* c = report->Find(name_);
    ASSERT_NE(c, nullptr) << "no case " << name_ << " in the report";
    EXPECT_TRUE(c->passed()) << c->FailureText();
    RecordProperty("pcc", std::to_string(c->metrics.pcc));
  }

 private:
  std::function<const absl::StatusOr<Report>&()> report_;
  std::string name_;
};
}  // namespace internal

// Registers one test per case of `case_names` in gtest suite `suite_name`; `run` is called once, lazily.
inline bool RegisterReportTests(const std::string& suite_name, const std::vector<std::string>& case_names,
                                std::function<absl::StatusOr<Report>()> run, const char* file = __FILE__,
                                int line = __LINE__) {
  struct Shared {
    std::once_flag once;
    absl::StatusOr<Report> report = absl::UnknownError("not run");
  };
  auto shared = std::make_shared<Shared>();
  std::function<const absl::StatusOr<Report>&()> get = [shared, run,
                                                         suite_name]() -> const absl::StatusOr<Report>& {
    std::call_once(shared->once, [&] {
      shared->report = run();
      const char* dir = std::getenv("TTT_TESTSUITE_REPORT_DIR");
      if (dir != nullptr && shared->report.ok()) {
        (void)shared->report->WriteJson(std::string(dir) + "/" + GTestName(suite_name) + ".json");
      }
    });
    return shared->report;
  };
  for (const std::string& name : case_names) {
    ::testing::RegisterTest(suite_name.c_str(), GTestName(name).c_str(), nullptr, name.c_str(), file, line,
                            [get, name]() -> ::testing::Test* { return new internal::SuiteCaseTest(get, name); });
  }
  return true;
}

// A suite made by `make` (called now, to know its cases) whose Run() is checked case by case. When `make`
// fails, one test "<suite>.setup" fails with its status.
inline bool RegisterSuiteTests(const std::string& suite_name,
                               std::function<absl::StatusOr<std::shared_ptr<TestSuite>>()> make,
                               const char* file = __FILE__, int line = __LINE__) {
  absl::StatusOr<std::shared_ptr<TestSuite>> suite = make();
  if (!suite.ok()) {
    const absl::Status status = suite.status();
    return RegisterReportTests(suite_name, {"setup"}, [status]() -> absl::StatusOr<Report> { return status; }, file,
                               line);
  }
  std::shared_ptr<TestSuite> s = *std::move(suite);
  return RegisterReportTests(
      suite_name, s->CaseNames(), [s]() -> absl::StatusOr<Report> { return s->Run(); }, file, line);
}

// Like RegisterSuiteTests, judging each module against the source checkpoint `make` also returns.
inline bool RegisterReferenceTests(
    const std::string& suite_name,
    std::function<absl::StatusOr<std::pair<std::shared_ptr<TestSuite>, std::shared_ptr<const formats::Checkpoint>>>()>
        make,
    const char* file = __FILE__, int line = __LINE__) {
  auto made = make();
  if (!made.ok()) {
    const absl::Status status = made.status();
    return RegisterReportTests(suite_name, {"setup"}, [status]() -> absl::StatusOr<Report> { return status; }, file,
                               line);
  }
  auto [s, source] = *std::move(made);
  return RegisterReportTests(
      suite_name, s->CaseNames(),
      [s, source]() -> absl::StatusOr<Report> { return s->CompareWithReference(*source); }, file, line);
}

// The two suites every zoo model runs on its checkpoint (a HF directory, GGUF or llama2.c file):
// "<name>SuiteTracked", every module of the f32 model against the module it mirrors in the checkpoint
// (a bad conversion or tensor fails alone, named by its checkpoint path), and "<name>Suite<DTYPE>", every
// module of a model with `dtype` weights against the float64 math of its own (dequantised) weights.
inline bool RegisterCheckpointSuites(const std::string& name, const std::string& checkpoint_path,
                                     DType dtype = DType::kBFP8, const char* file = __FILE__, int line = __LINE__) {
  auto suite_of = [](const formats::Checkpoint& ckpt, DType weights) -> absl::StatusOr<std::shared_ptr<TestSuite>> {
    auto model = CausalLm::Create(ckpt.spec, ckpt.weights, BuildOptions{.linear_weight_dtype = weights});
    if (!model.ok()) return model.status();
    auto suite = std::make_shared<TestSuite>(std::shared_ptr<const CausalLm>(*std::move(model)));
    suite->TestEveryModule();
    return suite;
  };
  // Loaded once (memory-mapped) for both suites; a load error fails each suite's setup test.
  using Source = std::shared_ptr<const formats::Checkpoint>;
  const absl::StatusOr<Source> source = [&]() -> absl::StatusOr<Source> {
    auto ckpt = formats::LoadCheckpoint(checkpoint_path);
    if (!ckpt.ok()) return ckpt.status();
    return std::make_shared<const formats::Checkpoint>(*std::move(ckpt));
  }();
  RegisterReferenceTests(
      name + "SuiteTracked",
      [&]() -> absl::StatusOr<std::pair<std::shared_ptr<TestSuite>, std::shared_ptr<const formats::Checkpoint>>> {
        if (!source.ok()) return source.status();
        auto suite = suite_of(**source, DType::kF32);
        if (!suite.ok()) return suite.status();
        return std::make_pair(*std::move(suite), *source);
      },
      file, line);
  std::string dtype_name(DTypeName(dtype));
  dtype_name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(dtype_name[0])));
  return RegisterSuiteTests(
      name + "Suite" + dtype_name,
      [&]() -> absl::StatusOr<std::shared_ptr<TestSuite>> {
        if (!source.ok()) return source.status();
        return suite_of(**source, dtype);
      },
      file, line);
}

}  // namespace ttt::testing
