// Private to the CLI: the subcommand table. Each subcommand lives in its own cmd_*.cpp and only
// wires modules together: it declares its flags, builds typed options, calls a module, prints.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace zooci {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the checked thing failed (a model, a case)
inline constexpr int kExitUsage = 2;   // bad flags, missing files, unreadable input

using CommandHandler = std::function<int()>;

struct CommandSpec {
  const char* name;
  const char* help;
  // Declares the subcommand's flags on `app` and returns the handler that runs after parsing.
  std::function<CommandHandler(CLI::App& app)> attach;
};

const std::vector<CommandSpec>& Commands();

CommandSpec CheckCommand();
CommandSpec TestCommand();
CommandSpec VersionCommand();
// The text `zooci --version` prints.
std::string VersionText();

}  // namespace zooci
