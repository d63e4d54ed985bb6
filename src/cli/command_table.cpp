// The subcommand table: one row per subcommand.
#include "cli/cli.h"

namespace zooci {

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      BenchCommand(),        //
      CheckCommand(),        //
      ConformanceCommand(),  //
      DifftestCommand(),     //
      EvalCommand(),         //
      ManifestCommand(),     //
      ServeCommand(),        //
      TestCommand(),         //
      ValidateCommand(),     //
      VersionCommand(),      //
      WorkerCommand(),
  };
  return commands;
}

}  // namespace zooci
