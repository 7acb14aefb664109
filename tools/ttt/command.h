// The `ttt` command line: each subcommand registers itself with TTT_COMMAND in its own file.
//
// A new command, in tools/ttt/cmd_<name>.cc (the build picks it up):
//
//   absl::Status RunPredict(const Args& args) {
//     long long n = 0;
//     TTT_RETURN_IF_ERROR(args.GetInt("n-predict", &n));            // the declared default when not given
//     TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
//     ...
//   }
//   TTT_COMMAND({"predict", "one line for `ttt --help`",
//                Flags({{{"-n,--n-predict", "tokens to predict", "32", FlagKind::kInt},
//                        {"-p,--prompt", "the prompt", ""}},
//                       ModelFlags(), ThreadsFlag(), HardwareFlags()}),   // shared sets, tools/ttt/common.h
//                RunPredict});
//
// Flags are data (tools/ttt/flags.h): CLI11 parses them, rejects unknown ones, and prints them with their
// defaults for `--help`. Reuse llama.cpp's names where the flag means the same (-m/--model, -p/--prompt,
// -n/--n-predict, -t/--threads, -c/--ctx-size, -s/--seed, -f/--file, -r/--reverse-prompt) and the shared sets
// of common.h for model, hardware and sampling flags, so every command spells them alike. A command that takes
// positional arguments names them in `positional` and reads Args::positional(). Reading a flag the command
// did not declare aborts with the flag's name (LoadModelFromArgs reads ModelFlags(), ThreadsFlag() and
// HardwareFlags(): declare all three); CTest cli.doc_current builds every command's flags.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ttt/flags.h"

namespace ttt::cli {

using CommandFn = std::function<absl::Status(const Args& args)>;

struct Command {
  std::string name;
  std::string summary;
  FlagSet flags;
  CommandFn run;
  std::string positional = "";  // see CommandInfo::positional
};

bool RegisterCommand(Command command);
const std::vector<Command>& Commands();

}  // namespace ttt::cli

#define TTT_COMMAND_CONCAT_INNER(a, b) a##b
#define TTT_COMMAND_CONCAT(a, b) TTT_COMMAND_CONCAT_INNER(a, b)
#define TTT_COMMAND(...) \
  static const bool TTT_COMMAND_CONCAT(kRegistered_, __LINE__) = ::ttt::cli::RegisterCommand(__VA_ARGS__)
