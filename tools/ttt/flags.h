// The flags of a `ttt` command: declared once as data (names, help, default), parsed by CLI11.
//
// Conventions, the same as llama.cpp's tools so that their users' habits carry over:
// - short and long names for the same flag ("-m,--model"); `--flag value` and `--flag=value`;
// - a flag that takes a value always takes the next argument, even one beginning with "-"
//   (`-p "-5 degrees"`, `--temperature -1` is then rejected by the number check, not mistaken for a flag);
// - `--help`/`-h` anywhere prints the command's flags with their defaults; `--version` anywhere;
// - a flag given twice keeps the last value, except kList flags, which keep every value in order
//   (`-r A -r B`); an unknown flag is an error naming it (with CLI11's suggestion).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ttt::cli {

enum class FlagKind {
  kText,    // one value
  kInt,     // one whole number (checked while parsing)
  kNumber,  // one real number (checked while parsing)
  kSwitch,  // no value: given or not
  kList,    // repeatable; every value is kept
};

struct Flag {
  // CLI11's spelling: "-m,--model" or "--top-k". The first long name without its dashes ("model") is the key
  // Args uses; further long names are aliases ("--ctx-size,--ctx": both fill "ctx-size").
  std::string names;
  std::string help;
  // Shown in --help, and what Args::Get returns when the flag is not given.
  std::string default_value;
  FlagKind kind = FlagKind::kText;
  std::string group;  // a heading in --help; empty: "Options"
};
using FlagSet = std::vector<Flag>;

// Concatenates flag sets (a command's own and shared ones such as HardwareFlags()).
FlagSet Flags(std::initializer_list<FlagSet> sets);

// What a command receives: the parsed flags by key, and positional arguments when the command takes them.
class Args {
 public:
  Args() = default;
  // `declared` by key, `given` the values from the command line by key.
  Args(std::map<std::string, Flag> declared, std::map<std::string, std::vector<std::string>> given,
       std::vector<std::string> positional)
      : declared_(std::move(declared)), given_(std::move(given)), positional_(std::move(positional)) {}
  // True when the flag was given on the command line (for switches: set).
  bool Has(const std::string& key) const;
  // The last value given, else the declared default.
  std::string Get(const std::string& key) const;
  // Every value given, in order (kList flags); empty when not given.
  std::vector<std::string> GetAll(const std::string& key) const;
  // Get() as a number; an unparsable value is an error naming the flag.
  absl::Status GetInt(const std::string& key, long long* out) const;
  absl::Status GetDouble(const std::string& key, double* out) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  const Flag& Declared(const std::string& key) const;

  std::map<std::string, Flag> declared_;
  std::map<std::string, std::vector<std::string>> given_;
  std::vector<std::string> positional_;
};

struct ParsedCommandLine {
  Args args;
  // Set when --help or --version was asked for: the text to print, and nothing to run.
  std::optional<std::string> print_and_exit;
};

// What --help and --version print about a command.
struct CommandInfo {
  std::string program;     // "ttt generate"
  std::string summary;     // one line under the usage line
  std::string positional;  // the positional arguments it takes, e.g. "list | search TEXT | show ID"; "": none
  std::string version;     // what --version prints
};

// Parses `argv` (the arguments after the command's name) against `flags`. Every command also takes
// --log-level (key "log-level"). Errors say which flag or argument is wrong and point to --help.
absl::StatusOr<ParsedCommandLine> ParseFlags(const CommandInfo& info, const FlagSet& flags,
                                             const std::vector<std::string>& argv);

// The key of a flag: its first long name without dashes, else its short name without the dash.
std::string FlagKey(const Flag& flag);

}  // namespace ttt::cli
