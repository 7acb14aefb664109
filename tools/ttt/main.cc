#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "contrib/positional/alibi/alibi.h"
#include "core/patterns/encoder/encoder_descriptor.h"
#include "core/patterns/seq2seq/seq2seq_descriptor.h"
#include "core/runtime/logging.h"
#include "core/runtime/library_version.h"
#include "core/runtime/openblas_setup.h"
#include "tools/ttt/command.h"

namespace ttt::cli {

std::vector<Command>& MutableCommands() {
  static std::vector<Command> commands;
  return commands;
}
bool RegisterCommand(Command command) {
  MutableCommands().push_back(std::move(command));
  return true;
}
const std::vector<Command>& Commands() { return MutableCommands(); }

}  // namespace ttt::cli

namespace {
void PrintHelp() {
  std::cout << "ttt " << ttt::LibraryVersion() << ": transformer building blocks\n\nusage: ttt <command> [flags]\n\n";
  for (const auto& c : ttt::cli::Commands()) std::cout << absl::StrFormat("  %-12s %s\n", c.name, c.summary);
  std::cout << "\n`ttt <command> --help` shows a command's flags and their defaults; `ttt help --all` every "
               "command's.\n";
}

ttt::cli::CommandInfo InfoOf(const ttt::cli::Command& c) {
  return {.program = "ttt " + c.name, .summary = c.summary, .positional = c.positional,
          .version = absl::StrCat("ttt ", ttt::LibraryVersion())};
}

// `ttt help --all`: every command's --help, as the Markdown of docs/CLI.md. Fails on a command whose flags
// CLI11 refuses, so CTest cli.doc_current catches a bad declaration in any command.
int PrintAllHelp() {
  for (const auto& c : ttt::cli::Commands()) {
    auto parsed = ttt::cli::ParseFlags(InfoOf(c), c.flags, {"--help"});
    if (!parsed.ok()) {
      std::cerr << "ttt: " << parsed.status().message() << "\n";
      return 1;
    }
    std::cout << "### ttt " << c.name << "\n\n```\n" << *parsed->print_and_exit << "```\n\n";
  }
  return 0;
}

int Run(const ttt::cli::Command& c, const std::vector<std::string>& argv) {
  auto parsed = ttt::cli::ParseFlags(InfoOf(c), c.flags, argv);
  if (!parsed.ok()) {
    std::cerr << "ttt " << c.name << ": " << parsed.status().message() << "\n";
    return 2;
  }
  if (parsed->print_and_exit) {
    std::cout << *parsed->print_and_exit;
    return 0;
  }
  if (absl::Status s = ttt::SetLogLevel(parsed->args.Get("log-level")); !s.ok()) {
    std::cerr << "ttt " << c.name << ": --log-level: " << s.message() << "\n";
    return 2;
  }
  if (absl::Status status = c.run(parsed->args); !status.ok()) {
    std::cerr << "ttt " << c.name << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // Before anything calls BLAS; in-process, no re-execution (`ttt probe` shows the kernels in effect).
  ttt::SelectOpenBlasKernelsForCpu();
  // Contrib blocks a model spec may name: ALiBi for MPT (and BLOOM) checkpoints.
  if (absl::Status s = ttt::contrib::RegisterAlibi(); !s.ok()) std::cerr << "ttt: warning: " << s.message() << "\n";
  // The encoder pattern registers itself (the blocks layer, which registers the core kinds, cannot see it).
  if (absl::Status s = ttt::RegisterEncoder(); !s.ok()) std::cerr << "ttt: warning: " << s.message() << "\n";
  // So does the encoder-decoder pattern (T5), with its relative position bias.
  if (absl::Status s = ttt::RegisterSeq2Seq(); !s.ok()) std::cerr << "ttt: warning: " << s.message() << "\n";
  const std::string name = argc < 2 ? "" : argv[1];
  if (name.empty() || name == "--help" || name == "-h" || name == "help") {
    if (argc > 2 && std::string(argv[2]) == "--all") return PrintAllHelp();
    PrintHelp();
    return name.empty() ? 2 : 0;
  }
  if (name == "--version" || name == "version") {
    std::cout << "ttt " << ttt::LibraryVersion() << "\n";
    return 0;
  }
  for (const auto& c : ttt::cli::Commands()) {
    if (c.name == name) return Run(c, std::vector<std::string>(argv + 2, argv + argc));
  }
  std::cerr << "ttt: unknown command '" << name << "'\n";
  PrintHelp();
  return 2;
}
