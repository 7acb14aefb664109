// The `ttt` command line: each subcommand registers itself with TTT_COMMAND in its own file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ttt::cli {

using CommandFn = std::function<absl::Status(const std::vector<std::string>& args)>;

struct Command {
  std::string name;
  std::string summary;
  std::string usage;
  CommandFn run;
};

bool RegisterCommand(Command command);
const std::vector<Command>& Commands();

// A minimal flag reader for subcommands: --name value, --name=value, -n value, and bare switches.
class Args {
 public:
  explicit Args(const std::vector<std::string>& args);
  bool Has(const std::string& name) const;
  std::string Get(const std::string& name, const std::string& fallback = "") const;  // the last one given
  // Every value of a flag given more than once (--text A --text B), in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  // Parses a number; an unparsable value is an error naming the flag.
  absl::Status GetInt(const std::string& name, long long fallback, long long* out) const;
  absl::Status GetDouble(const std::string& name, double fallback, double* out) const;
  // Flags given that no caller asked about: reported as an error so typos do not pass silently.
  absl::Status CheckAllUsed() const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  mutable std::vector<std::string> used_;
};

}  // namespace ttt::cli

#define TTT_COMMAND_CONCAT_INNER(a, b) a##b
#define TTT_COMMAND_CONCAT(a, b) TTT_COMMAND_CONCAT_INNER(a, b)
#define TTT_COMMAND(...) \
  static const bool TTT_COMMAND_CONCAT(kRegistered_, __LINE__) = ::ttt::cli::RegisterCommand(__VA_ARGS__)
