// zooci: continuous integration for ONNX model zoos. Dispatches to the subcommand table.
#include <cstdio>
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"zooci: continuous integration for ONNX model zoos", "zooci"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version,
               "Print the versions of ZooCI, its runtimes, ONNX and protobuf");

  std::vector<std::pair<CLI::App*, zooci::CommandHandler>> handlers;
  for (const zooci::CommandSpec& command : zooci::Commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    handlers.emplace_back(sub, command.attach(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? zooci::kExitOk : zooci::kExitUsage;
  }
  if (show_version) {
    std::cout << zooci::VersionText();
    return zooci::kExitOk;
  }
  for (auto& [sub, handler] : handlers) {
    if (sub->parsed()) return handler();
  }
  std::cerr << app.help();
  return zooci::kExitUsage;
}
