#include "tools/ttt/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A command shaped like `ttt generate`: llama.cpp's short and long names, a repeatable flag, numbers.
FlagSet TestFlags() {
  return {{"-m,--model", "model", ""},
          {"-p,--prompt", "prompt", ""},
          {"-n,--n-predict", "tokens", "256", FlagKind::kInt},
          {"-c,--ctx-size,--ctx", "context", "0", FlagKind::kInt},
          {"--temp,--temperature", "temperature", "0", FlagKind::kNumber},
          {"-r,--reverse-prompt,--stop", "stop text", "", FlagKind::kList},
          {"--stats", "stats", "", FlagKind::kSwitch}};
}

absl::StatusOr<ParsedCommandLine> Parse(const std::vector<std::string>& argv, const std::string& positional = "") {
  return ParseFlags({.program = "ttt test", .summary = "a test", .positional = positional, .version = "ttt 9.9"},
                    TestFlags(), argv);
}

TEST(Flags, ShortLongAndEqualsSpellingsFillOneKey) {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"-m", "a.gguf", "-n", "5"}, {"--model", "a.gguf", "--n-predict", "5"}, {"--model=a.gguf", "-n5"},
           {"-m", "a.gguf", "--n-predict=5"}}) {
    auto parsed = Parse(argv);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->args.Get("model"), "a.gguf");
    long long n = 0;
    ASSERT_TRUE(parsed->args.GetInt("n-predict", &n).ok());
    EXPECT_EQ(n, 5);
  }
}

TEST(Flags, AliasesOfLlamaCppAndOfEarlierTtt) {
  auto parsed = Parse({"--temperature", "0.7", "--ctx", "64", "--stop", "END"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args.Get("temp"), "0.7");
  EXPECT_EQ(parsed->args.Get("ctx-size"), "64");
  EXPECT_THAT(parsed->args.GetAll("reverse-prompt"), ElementsAre("END"));
  parsed = Parse({"--temp", "0.5", "-c", "32"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args.Get("temp"), "0.5");
  EXPECT_EQ(parsed->args.Get("ctx-size"), "32");
}

TEST(Flags, DefaultsWhenNotGiven) {
  auto parsed = Parse({});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->args.Has("n-predict"));
  EXPECT_EQ(parsed->args.Get("n-predict"), "256");
  EXPECT_EQ(parsed->args.Get("log-level"), "info");  // every command takes --log-level
  EXPECT_TRUE(parsed->args.GetAll("reverse-prompt").empty());
}

TEST(Flags, ValuesBeginningWithADash) {
  auto parsed = Parse({"-p", "-5 degrees", "-r", "-", "--prompt", "--stats"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args.Get("prompt"), "--stats");  // the value of the last --prompt, as llama.cpp takes it
  EXPECT_FALSE(parsed->args.Has("stats"));
  EXPECT_THAT(parsed->args.GetAll("reverse-prompt"), ElementsAre("-"));
  parsed = Parse({"-p", "-5 degrees"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args.Get("prompt"), "-5 degrees");
  parsed = Parse({"--prompt=-x"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args.Get("prompt"), "-x");
}

TEST(Flags, RepeatableKeepsEveryValueOthersTheLast) {
  auto parsed = Parse({"-r", "A", "--reverse-prompt", "B", "--stop=C", "-p", "one", "-p", "two"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->args.GetAll("reverse-prompt"), ElementsAre("A", "B", "C"));
  EXPECT_EQ(parsed->args.Get("prompt"), "two");
}

TEST(Flags, HelpAnywhereListsFlagsWithDefaults) {
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"--help"}, {"-m", "x", "--help"}, {"-n", "3", "-h", "--bogus"}}) {
    auto parsed = Parse(argv);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_TRUE(parsed->print_and_exit.has_value());
    EXPECT_THAT(*parsed->print_and_exit, HasSubstr("--n-predict"));
    EXPECT_THAT(*parsed->print_and_exit, HasSubstr("256"));  // the default is shown
    EXPECT_THAT(*parsed->print_and_exit, HasSubstr("--log-level"));
  }
}

TEST(Flags, Version) {
  auto parsed = Parse({"-m", "x", "--version"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->print_and_exit.value_or(""), "ttt 9.9\n");
}

TEST(Flags, ErrorsNameTheFlag) {
  auto unknown = Parse({"--modle", "x"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("--modle"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("ttt test --help"));
  auto not_a_number = Parse({"-n", "many"});
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_THAT(not_a_number.status().message(), HasSubstr("many"));
  auto missing_value = Parse({"--model"});
  ASSERT_FALSE(missing_value.ok());
  EXPECT_THAT(missing_value.status().message(), HasSubstr("model"));
  auto stray = Parse({"story"});
  ASSERT_FALSE(stray.ok());
  EXPECT_THAT(stray.status().message(), HasSubstr("story"));
  EXPECT_FALSE(Parse({"--stats=maybe"}).ok());
}

TEST(Flags, SwitchesTakeABooleanAfterEquals) {
  auto parsed = Parse({"--stats=false"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->args.Has("stats"));
  parsed = Parse({"--stats"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->args.Has("stats"));
}

TEST(Flags, NegativeNumbers) {
  auto parsed = Parse({"-n", "-1", "--temp=-0.5"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  long long n = 0;
  ASSERT_TRUE(parsed->args.GetInt("n-predict", &n).ok());
  EXPECT_EQ(n, -1);
  EXPECT_EQ(parsed->args.Get("temp"), "-0.5");
}

TEST(Flags, PositionalArgumentsWhenTheCommandTakesThem) {
  auto parsed = Parse({"search", "feed", "forward", "-m", "x"}, "search TEXT");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->args.positional(), ElementsAre("search", "feed", "forward"));
  EXPECT_EQ(parsed->args.Get("model"), "x");
}

TEST(Flags, AFlagCli11RefusesIsAnErrorNotACrash) {
  auto parsed = ParseFlags({.program = "ttt test"}, {{"-np,--parallel", "two-letter short names do not exist", ""}}, {});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(parsed.status().message(), HasSubstr("-np"));
}

TEST(Flags, ShortOnlyFlagTakesADashValue) {
  auto parsed = ParseFlags({.program = "ttt test"}, {{"-x", "short only", "0", FlagKind::kInt}}, {"-x", "-3"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args.Get("x"), "-3");
}

TEST(Flags, KeyIsTheFirstLongName) {
  EXPECT_EQ(FlagKey({"-c,--ctx-size,--ctx", "", ""}), "ctx-size");
  EXPECT_EQ(FlagKey({"-n", "", ""}), "n");
}

}  // namespace
}  // namespace ttt::cli
