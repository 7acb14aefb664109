#include <iostream>

#include "absl/strings/str_cat.h"
#include "contrib/positional/alibi/alibi.h"
#include "core/patterns/encoder/encoder_descriptor.h"
#include "core/runtime/logging.h"
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

Args::Args(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.rfind("-", 0) != 0) {
      values_.emplace_back("", a);  // positional
      continue;
    }
    while (!a.empty() && a[0] == '-') a.erase(0, 1);
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      values_.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else if (i + 1 < args.size() && (args[i + 1].rfind("-", 0) != 0 || args[i + 1].size() == 1 ||
                                        std::isdigit(static_cast<unsigned char>(args[i + 1][1])))) {
      values_.emplace_back(a, args[++i]);
    } else {
      values_.emplace_back(a, "");
    }
  }
}

bool Args::Has(const std::string& name) const {
  used_.push_back(name);
  for (const auto& [k, v] : values_) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  used_.push_back(name);
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  used_.push_back(name);
  std::string out = fallback;
  for (const auto& [k, v] : values_) {
    if (k == name) out = v;
  }
  return out;
}

absl::Status Args::GetInt(const std::string& name, long long fallback, long long* out) const {
  std::string v = Get(name);
  if (v.empty()) {
    *out = fallback;
    return absl::OkStatus();
  }
  char* end = nullptr;
  *out = std::strtoll(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " expects a whole number, got '", v, "'"));
  }
  return absl::OkStatus();
}

absl::Status Args::GetDouble(const std::string& name, double fallback, double* out) const {
  std::string v = Get(name);
  if (v.empty()) {
    *out = fallback;
    return absl::OkStatus();
  }
  char* end = nullptr;
  *out = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " expects a number, got '", v, "'"));
  }
  return absl::OkStatus();
}

absl::Status Args::CheckAllUsed() const {
  for (const auto& [k, v] : values_) {
    bool used = false;
    for (const auto& u : used_) used |= (u == k);
    if (!used) {
      return absl::InvalidArgumentError(k.empty() ? absl::StrCat("unexpected argument '", v, "'")
                                                  : absl::StrCat("unknown flag --", k, ": see --help"));
    }
  }
  return absl::OkStatus();
}

}  // namespace ttt::cli

namespace {
void PrintHelp() {
  std::cout << "ttt " << TTT_VERSION_STRING << ": transformer building blocks\n\nusage: ttt <command> [flags]\n\n";
  for (const auto& c : ttt::cli::Commands()) std::cout << "  " << c.name << "\t" << c.summary << "\n";
  std::cout << "\n`ttt <command> --help` shows a command's flags; every command takes --log-level LEVEL.\n";
}
}  // namespace

int main(int argc, char** argv) {
  ttt::EnsureOpenBlasKernelsMatchCpu(argv);
  // Contrib blocks a model spec may name: ALiBi for MPT (and BLOOM) checkpoints.
  if (absl::Status s = ttt::contrib::RegisterAlibi(); !s.ok()) std::cerr << "ttt: warning: " << s.message() << "\n";
  // The encoder pattern registers itself (the blocks layer, which registers the core kinds, cannot see it).
  if (absl::Status s = ttt::RegisterEncoder(); !s.ok()) std::cerr << "ttt: warning: " << s.message() << "\n";
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    PrintHelp();
    return argc < 2 ? 2 : 0;
  }
  std::string name = argv[1];
  if (name == "--version" || name == "version") {
    std::cout << "ttt " << TTT_VERSION_STRING << "\n";
    return 0;
  }
  std::vector<std::string> args;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--log-level" || a == "--log_level") && i + 1 < argc) {  // any command: spdlog's level
      if (absl::Status s = ttt::SetLogLevel(argv[++i]); !s.ok()) {
        std::cerr << "ttt: " << s.message() << "\n";
        return 2;
      }
      continue;
    }
    args.push_back(a);
  }
  for (const auto& c : ttt::cli::Commands()) {
    if (c.name != name) continue;
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::cout << "usage: " << c.usage << "\n";
      return 0;
    }
    absl::Status status = c.run(args);
    if (!status.ok()) {
      std::cerr << "ttt " << name << ": " << status.message() << "\n";
      return 1;
    }
    return 0;
  }
  std::cerr << "ttt: unknown command '" << name << "'\n";
  PrintHelp();
  return 2;
}
