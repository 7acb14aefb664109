#include "tools/ttt/flags.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ttt::cli {
namespace {

std::vector<std::string> Names(const Flag& flag) {
  std::vector<std::string> names;
  for (absl::string_view n : absl::StrSplit(flag.names, ',', absl::SkipWhitespace())) names.emplace_back(n);
  return names;
}

const Flag& LogLevelFlag() {
  static const Flag flag{"--log-level,--log_level", "spdlog's level: trace, debug, info, warn, error, off", "info",
                         FlagKind::kText, "Common"};
  return flag;
}

// llama.cpp's convention: a flag that takes a value takes the next argument whatever it looks like. CLI11
// would read "-5 degrees" as a flag, so "NAME VALUE" becomes one argument before CLI11 sees it:
// "--long=VALUE", or "-nVALUE" for a flag with only a short name.
std::vector<std::string> JoinValues(const FlagSet& flags, const std::vector<std::string>& argv) {
  std::map<std::string, std::string> takes_value;  // name as typed -> the prefix its value is joined to
  for (const Flag& f : flags) {
    if (f.kind == FlagKind::kSwitch) continue;
    const std::vector<std::string> names = Names(f);
    const bool has_long =
        std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.rfind("--", 0) == 0; });
    for (const std::string& n : names) takes_value[n] = has_long ? "--" + FlagKey(f) + "=" : n;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < argv.size(); ++i) {
    auto it = takes_value.find(argv[i]);
    if (it != takes_value.end() && i + 1 < argv.size()) {
      out.push_back(absl::StrCat(it->second, argv[++i]));
    } else {
      out.push_back(argv[i]);
    }
  }
  return out;
}

absl::StatusOr<ParsedCommandLine> Parse(const CommandInfo& info, const FlagSet& command_flags,
                                        const std::vector<std::string>& argv);

}  // namespace

std::string FlagKey(const Flag& flag) {
  const std::vector<std::string> names = Names(flag);
  for (const std::string& n : names) {
    if (n.rfind("--", 0) == 0) return n.substr(2);
  }
  return names.empty() ? "" : std::string(absl::StripPrefix(names.front(), "-"));
}

FlagSet Flags(std::initializer_list<FlagSet> sets) {
  FlagSet out;
  for (const FlagSet& s : sets) out.insert(out.end(), s.begin(), s.end());
  return out;
}

const Flag& Args::Declared(const std::string& key) const {
  auto it = declared_.find(key);
  if (it == declared_.end()) {
    // A command asked for a flag it did not declare: a bug in the command, caught by its first test run.
    std::cerr << "ttt: internal error: flag '" << key << "' is read but not declared in the command's FlagSet\n";
    std::abort();
  }
  return it->second;
}

bool Args::Has(const std::string& key) const {
  Declared(key);
  return given_.count(key) > 0;
}

std::string Args::Get(const std::string& key) const {
  const Flag& flag = Declared(key);
  auto it = given_.find(key);
  return it == given_.end() || it->second.empty() ? flag.default_value : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& key) const {
  Declared(key);
  auto it = given_.find(key);
  return it == given_.end() ? std::vector<std::string>{} : it->second;
}

absl::Status Args::GetInt(const std::string& key, long long* out) const {
  const std::string v = Get(key);
  char* end = nullptr;
  *out = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("--", key, " expects a whole number, got '", v, "'"));
  }
  return absl::OkStatus();
}

absl::Status Args::GetDouble(const std::string& key, double* out) const {
  const std::string v = Get(key);
  char* end = nullptr;
  *out = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("--", key, " expects a number, got '", v, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedCommandLine> ParseFlags(const CommandInfo& info, const FlagSet& command_flags,
                                             const std::vector<std::string>& argv) {
  try {
    return Parse(info, command_flags, argv);
  } catch (const CLI::ConstructionError& e) {
    // A command declared a flag CLI11 refuses (a two-letter short name, a name used twice): a bug in the
    // command, caught by `ttt help --all` in CTest cli.doc_current.
    return absl::InternalError(absl::StrCat(info.program, " declares a flag CLI11 cannot take: ", e.what()));
  }
}

namespace {

absl::StatusOr<ParsedCommandLine> Parse(const CommandInfo& info, const FlagSet& command_flags,
                                        const std::vector<std::string>& argv) {
  FlagSet flags = command_flags;
  flags.push_back(LogLevelFlag());
  CLI::App app(info.summary, info.program);
  app.set_version_flag("--version", info.version);
  app.get_formatter()->column_width(34);
  std::map<std::string, Flag> declared;
  std::vector<std::pair<std::string, CLI::Option*>> options;
  for (const Flag& f : flags) {
    const std::string key = FlagKey(f);
    declared[key] = f;
    CLI::Option* opt = nullptr;
    if (f.kind == FlagKind::kSwitch) {
      opt = app.add_flag(f.names, f.help);
    } else {
      opt = app.add_option(f.names)->description(f.help)->expected(1);
      opt->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      if (!f.default_value.empty()) opt->default_str(f.default_value);
      // CLI11's check would append its own name to the type in --help: the description is dropped.
      if (f.kind == FlagKind::kInt) opt->type_name("INT")->check(CLI::Validator(CLI::Number).description(""));
      if (f.kind == FlagKind::kNumber) opt->type_name("NUMBER")->check(CLI::Validator(CLI::Number).description(""));
      if (f.kind == FlagKind::kText) opt->type_name("TEXT");
      if (f.kind == FlagKind::kList) opt->type_name("TEXT ...");
    }
    opt->group(f.group.empty() ? "Options" : f.group);
    options.emplace_back(key, opt);
  }
  std::vector<std::string> positional;
  if (!info.positional.empty()) {
    app.add_option("args", positional, info.positional)->expected(0, -1);
  }
  std::vector<std::string> reversed = JoinValues(flags, argv);
  std::reverse(reversed.begin(), reversed.end());  // CLI11 reads a vector from its back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return ParsedCommandLine{{}, app.help()};
  } catch (const CLI::CallForVersion& e) {
    return ParsedCommandLine{{}, absl::StrCat(e.what(), "\n")};
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(absl::StrCat(e.what(), " (see ", info.program, " --help)"));
  }
  std::map<std::string, std::vector<std::string>> given;
  for (const auto& [key, opt] : options) {
    if (opt->count() == 0) continue;
    // A switch given a value (--stats=false, as CLI11 allows) is set only when the value is true.
    if (declared[key].kind == FlagKind::kSwitch) {
      try {
        if (!opt->as<bool>()) continue;
      } catch (const CLI::ConversionError&) {
        return absl::InvalidArgumentError(absl::StrCat("--", key, " is a switch: give it alone, or =true/=false (got '",
                                                       opt->results().back(), "')"));
      }
    }
    std::vector<std::string>& values = given[key];
    for (const std::string& r : opt->results()) values.push_back(r);
  }
  return ParsedCommandLine{Args(std::move(declared), std::move(given), std::move(positional)), std::nullopt};
}

}  // namespace

}  // namespace ttt::cli
