#include "cli/commands.h"

namespace streamapp::cli {

const std::vector<CommandInfo>& Commands() {
  static const std::vector<CommandInfo> kCommands = {
      {"run", "run a topology as a worker of its application", RunCommand},
      {"validate", "check a topology file without a broker", ValidateCommand},
      {"describe", "print a topology's subtopologies, nodes and topics", DescribeCommand},
      {"topics", "create, delete or describe topics", TopicsCommand},
      {"test", "run topology fixture files without a broker", TestCommand},
      {"operators", "list the available operators and their parameters", OperatorsCommand},
      {"generate", "write sample data for a reference pipeline", GenerateCommand},
      {"reset", "reset an application's offsets and state for a replay", ResetCommand},
  };
  return kCommands;
}

}  // namespace streamapp::cli
