// MeasureLineCoverage on a small CMake project built with --coverage: gcov counts the lines of a module whose
// test calls one of its two functions (so gcov and gcovr, not this code, decide the figure), and a build without
// --coverage is refused with the command that configures one.
#include "core/governance/coverage.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/governance/gov_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::gov {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class LineCoverageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/ttt-coverage-XXXXXX";
    root_ = mkdtemp(dir);
    Write("CMakeLists.txt",
          "cmake_minimum_required(VERSION 3.25)\nproject(cov CXX)\nenable_testing()\n"
          "add_library(mod contrib/mod/mod.cc)\nadd_executable(mod_test contrib/mod/mod_test.cc)\n"
          "target_link_libraries(mod_test mod)\nadd_test(NAME ModTest.UsesOne COMMAND mod_test)\n"
          "add_test(NAME OtherTest.NotRun COMMAND mod_test 1)\n");
    // Two functions of two lines each (gcov counts the opening and the return line): one is called.
    Write("contrib/mod/mod.cc", "int Used(int x) {\n  return x + 1;\n}\nint Unused(int x) {\n  return x - 1;\n}\n");
    Write("contrib/mod/mod_test.cc", "int Used(int);\nint Unused(int);\n"
                                     "int main(int argc, char**) { return argc > 1 ? Unused(1) : Used(-1); }\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& path, const std::string& text) { ASSERT_TRUE(WriteTextFile(root_ + "/" + path, text).ok()); }
  int Configure(const std::string& build, const std::string& flags) {
    return RunCommand("cmake -S " + root_ + " -B " + build + " -DCMAKE_BUILD_TYPE=Debug " + flags).exit_code;
  }
  std::string root_;
};

TEST_F(LineCoverageTest, MeasuresTheModulesLinesTheLabelledTestsRun) {
  const std::string build = root_ + "/build-coverage";
  ASSERT_EQ(Configure(build, "-DCMAKE_CXX_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage"), 0);
  absl::StatusOr<Coverage> c = MeasureLineCoverage(root_, build, "contrib/mod", {"ModTest"}, 2);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->lines_total, 4);
  EXPECT_EQ(c->lines_covered, 2);
  EXPECT_DOUBLE_EQ(c->fraction(), 0.5);
  // A label that names no test measures nothing.
  EXPECT_THAT(std::string(MeasureLineCoverage(root_, build, "contrib/mod", {"NoSuchTest"}, 2).status().message()),
              HasSubstr("did not all pass"));
}

TEST_F(LineCoverageTest, RefusesABuildWithoutCoverage) {
  const std::string build = root_ + "/build-plain";
  ASSERT_EQ(Configure(build, ""), 0);
  absl::StatusOr<Coverage> c = MeasureLineCoverage(root_, build, "contrib/mod", {"ModTest"}, 2);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("is not a coverage build"));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("-DCMAKE_CXX_FLAGS=--coverage"));
}

}  // namespace
}  // namespace ttt::gov
