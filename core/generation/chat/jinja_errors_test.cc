// What the Jinja engine does with templates it cannot or must not render: unsupported constructs and
// syntax errors are refused with the construct and its place; raise_exception() becomes an error carrying
// the template's message; hostile templates (endless loops, deep nesting, huge strings) end with an error,
// quickly, instead of crashing or hanging.
#include <chrono>
#include <string>

#include "core/generation/chat/jinja_test_util.h"
#include "core/generation/chat/lexer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::chat {
namespace {

using ::testing::HasSubstr;
using testing::RenderJinja;

absl::Status RenderError(const std::string& source, RenderLimits limits = {}) {
  absl::StatusOr<std::string> out = RenderJinja(source, "{}", limits);
  return out.ok() ? absl::OkStatus() : out.status();
}

TEST(JinjaErrorsTest, UnsupportedStatementNamesItAndItsPlace) {
  absl::Status status = RenderError("line one\n{% if true %}\n    {% include 'other.jinja' %}\n{% endif %}");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(), HasSubstr("unsupported statement 'include' at line 3, column 8"));
  for (const char* statement : {"import", "extends", "block", "do", "autoescape", "from"}) {
    absl::Status s = RenderError(std::string("{% ") + statement + " x %}");
    EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << statement;
    EXPECT_THAT(s.message(), HasSubstr(std::string("unsupported statement '") + statement + "'"));
  }
}

TEST(JinjaErrorsTest, UnsupportedFiltersTestsAndConstructsAreNamed) {
  EXPECT_THAT(RenderError("{{ 'x'|format(1) }}").message(), HasSubstr("unsupported filter 'format' at line 1, column 8"));
  EXPECT_THAT(RenderError("{{ 1 is prime }}").message(), HasSubstr("unsupported test 'prime' at line 1, column 6"));
  EXPECT_THAT(RenderError("{% for x in y recursive %}{% endfor %}").message(), HasSubstr("'recursive'"));
  EXPECT_THAT(RenderError("{{ f(*args) }}").message(), HasSubstr("argument unpacking"));
  EXPECT_THAT(RenderError("{{ '%s' % 'x' }}").message(), HasSubstr("string % formatting"));
  EXPECT_EQ(RenderError("{{ 'x'|format(1) }}").code(), absl::StatusCode::kUnimplemented);
}

TEST(JinjaErrorsTest, SyntaxErrorsSayWhatAndWhere) {
  EXPECT_THAT(RenderError("{{ name").message(), HasSubstr("'{{' opened at line 1, column 1 is never closed"));
  EXPECT_THAT(RenderError("ok\n{% if x %}").message(), HasSubstr("ends before {% endif %}"));
  EXPECT_THAT(RenderError("{% endfor %}").message(), HasSubstr("unexpected '{% endfor %}' at line 1, column 4"));
  EXPECT_THAT(RenderError("{{ 1 + }}").message(), HasSubstr("expected an expression but found '}}' at line 1, column 8"));
  EXPECT_THAT(RenderError("{{ (1 }}").message(), HasSubstr("unexpected '}' at line 1, column 7"));
  EXPECT_THAT(RenderError("{# open comment").message(), HasSubstr("never closed with '#}'"));
  EXPECT_THAT(RenderError("{{ 'open }}").message(), HasSubstr("string literal at line 1, column 4 is never closed"));
  EXPECT_THAT(RenderError("{% break %}").message(), HasSubstr("'break' outside a for loop"));
}

TEST(JinjaErrorsTest, RuntimeErrorsNameTheirPlace) {
  EXPECT_THAT(RenderError("\n  {{ missing.attr }}").message(), HasSubstr("'missing' is undefined (line 2, column 13)"));
  EXPECT_THAT(RenderError("{{ 1 + 'a' }}").message(), HasSubstr("unsupported operand type(s) for +: 'int' and 'str'"));
  EXPECT_THAT(RenderError("{{ none|tojson }}{{ nope|tojson }}").message(), HasSubstr("not JSON serializable"));
  EXPECT_THAT(RenderError("{% set x = 1 %}{% set x.y = 2 %}").message(),
              HasSubstr("cannot assign attribute on non-namespace object 'x'"));
  EXPECT_THAT(RenderError("{{ 1 < 'a' }}").message(), HasSubstr("cannot order 'int' and 'str'"));
  EXPECT_THAT(RenderError("{{ 1 // 0 }}").message(), HasSubstr("division or modulo by zero"));
  EXPECT_THAT(RenderError("{% for x in 5 %}{% endfor %}").message(), HasSubstr("'int' object is not iterable"));
  EXPECT_THAT(RenderError("{{ 'x'() }}").message(), HasSubstr("'str' object is not callable"));
  EXPECT_THAT(RenderError("{{ 'a'.split(1) }}").message(), HasSubstr("split separator must be a string"));
}

TEST(JinjaErrorsTest, RaiseExceptionCarriesTheTemplatesMessage) {
  absl::Status status = RenderError(
      "{% if true %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
      "{% endif %}");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("Conversation roles must alternate user/assistant/user/assistant/..."));
  EXPECT_THAT(status.message(), HasSubstr("line 1, column 17"));
  // From inside a macro too.
  EXPECT_THAT(RenderError("{% macro m() %}{{ raise_exception('inner') }}{% endmacro %}{{ m() }}").message(),
              HasSubstr("inner"));
}

// Each of these would run for hours, recurse without end or take gigabytes if let be.
TEST(JinjaErrorsTest, HostileTemplatesEndWithAnErrorQuickly) {
  struct Hostile {
    std::string source;
    const char* complaint;
  };
  const Hostile hostile[] = {
      {"{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}", "steps"},
      {"{{ range(1000000000000)|length }}", "list of more than"},
      {"{{ 'a' * 1000000000 }}", "string of more than"},
      {"{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "string of"},
      {"{% set s = 'x' * 1000000 %}{{ s|replace('x', s) }}", "string of more than"},
      {"{% set s = 'x' * 1000000 %}{{ ([s] * 100000)|tojson }}", "longer than"},
      {"{% set s = 'x' * 1000000 %}{{ [s] * 100000 }}", "string of more than"},
      {"{% set l = [] %}{% for i in range(50) %}{% set _ = l.append(l) %}{% endfor %}{{ l }}", "contain itself"},
      {"{% set l = [1] %}{% set _ = l.append([[l]]) %}{{ l|tojson }}", "contain itself"},
      // Each store walks the value it stores (the cycle check), so a value this deep is never built.
      {"{% set ns = namespace(l=[]) %}{% for i in range(1000000) %}{% set ns.l = [ns.l] %}{% endfor %}", "steps"},
      {"{% set ns = namespace(l=1) %}{% for i in range(500) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l|tojson }}",
       "nested deeper"},
      {"{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}", "recursed more than"},
      {"{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}", "nests blocks or expressions"},
      {std::string(10000, '{') + "% if true %}", "never closed"},
      {[] {
         std::string s;
         for (int i = 0; i < 3000; ++i) s += "{% if true %}";
         return s;
       }(),
       "nests blocks or expressions"},
      {"{{ " + std::string(100000, '-') + "1 }}", "nests blocks or expressions"},
      {"{{ " + [] {
         std::string s;
         for (int i = 0; i < 50000; ++i) s += "not ";
         return s;
       }() + "1 }}",
       "nests blocks or expressions"},
      {"{{ 9223372036854775807 + 1 }}", "integer overflow"},
      {"{{ 2 ** 64 }}", "integer overflow"},
  };
  for (const Hostile& h : hostile) {
    const auto start = std::chrono::steady_clock::now();
    absl::Status status = RenderError(h.source);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_FALSE(status.ok()) << h.source.substr(0, 80);
    EXPECT_THAT(status.message(), HasSubstr(h.complaint)) << h.source.substr(0, 80);
    // Generous: the bound is what matters (a machine ten times slower still passes), not the speed.
    EXPECT_LT(seconds, 60) << h.source.substr(0, 80);
  }
}

// Reference counting never frees a value that holds itself, so every way a template can store a value in a
// container refuses a cycle (a server rendering such a template per request would otherwise leak each time);
// the same values without the cycle still render.
TEST(JinjaErrorsTest, CyclicValuesAreRefusedThroughEveryWayToStoreOne) {
  const char* cyclic[] = {
      "{% set l = [] %}{% set _ = l.append(l) %}",
      "{% set l = [] %}{% set _ = l.insert(0, {'a': [l]}) %}",
      "{% set l = [] %}{% set _ = l.extend([1, l]) %}",
      "{% set l = [] %}{% set _ = l.append(l.append) %}",  // a bound method holds its list
      "{% set d = {} %}{% set _ = d.update({'x': [d]}) %}",
      "{% set d = {} %}{% set _ = d.update(x=d) %}",
      "{% set d = {} %}{% set _ = d.setdefault('x', d) %}",
      "{% set ns = namespace(x=1) %}{% set ns.x = [ns] %}",
      "{% set a = [] %}{% set b = [a] %}{% set _ = a.append(b) %}",  // through another list
  };
  for (const char* source : cyclic) {
    EXPECT_THAT(RenderError(source).message(), HasSubstr("would contain itself")) << source;
  }
  EXPECT_TRUE(RenderError("{% set l = [] %}{% set m = [l, l] %}{% set _ = l.append(1) %}{% set _ = m.append(l) %}").ok());
  EXPECT_THAT(RenderJinja("{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}, c=3) %}{{ d|tojson }}", "{}").value(),
              "{\"a\": 1, \"b\": 2, \"c\": 3}");
}

TEST(JinjaErrorsTest, LimitsAreConfigurable) {
  RenderLimits tight;
  tight.max_steps = 1000;
  EXPECT_THAT(RenderError("{% for i in range(5000) %}{% endfor %}", tight).message(), HasSubstr("1000 steps"));
  tight = RenderLimits();
  tight.max_output_bytes = 10;
  EXPECT_THAT(RenderError("{% for i in range(20) %}x{% endfor %}", tight).message(), HasSubstr("10 bytes"));
  EXPECT_TRUE(RenderError("{% for i in range(5) %}x{% endfor %}", tight).ok());
}

TEST(JinjaErrorsTest, GarbageNeverCrashes) {
  // Bytes and fragments of template syntax in many combinations: each parses or fails cleanly.
  const std::string pieces[] = {"{{", "}}", "{%", "%}", "{#", "#}", "-", "+", "if", "for", "x", "in", "(", ")", "[",
                                "]", "{", "}", "'", "\"", "|", "is", "not", ".", ":", ",", "=", "\xff", "\n", " "};
  uint32_t seed = 12345;
  for (int round = 0; round < 3000; ++round) {
    std::string source;
    const int n = 1 + round % 12;
    for (int i = 0; i < n; ++i) {
      seed = seed * 1664525u + 1013904223u;
      source += pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
    }
    absl::StatusOr<std::string> out = RenderJinja(source, R"({"x": [1, 2]})");
    if (!out.ok()) {
      EXPECT_FALSE(out.status().message().empty()) << source;
    }
  }
}

TEST(JinjaLexerTest, TokensCarryLineAndColumn) {
  absl::StatusOr<std::vector<Token>> tokens = Lex("hi\n  {{ name|upper }}");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_GE(tokens->size(), 6u);
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kText);
  EXPECT_EQ((*tokens)[0].text, "hi\n  ");
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kVarBegin);
  EXPECT_EQ((*tokens)[2].kind, TokenKind::kName);
  EXPECT_EQ((*tokens)[2].text, "name");
  EXPECT_EQ((*tokens)[2].pos.line, 2);
  EXPECT_EQ((*tokens)[2].pos.column, 6);
  EXPECT_EQ((*tokens)[3].text, "|");
}

TEST(JinjaLexerTest, WhitespaceSettingsCanBeTurnedOff) {
  LexOptions plain;
  plain.trim_blocks = false;
  plain.lstrip_blocks = false;
  plain.keep_trailing_newline = true;
  absl::StatusOr<std::vector<Token>> tokens = Lex("  {% if x %}\nA\n", plain);
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].text, "  ");
  EXPECT_EQ(tokens->back().kind, TokenKind::kEnd);
  EXPECT_EQ((*tokens)[tokens->size() - 2].text, "\nA\n");
}

}  // namespace
}  // namespace ttt::chat
