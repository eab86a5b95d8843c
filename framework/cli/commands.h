#pragma once

#include <string>
#include <vector>

namespace streamapp::cli {

// argv[0] is the command's name; returns the process exit code.
using CommandFn = int (*)(int argc, char** argv);

struct CommandInfo {
  std::string name;
  std::string summary;
  CommandFn run;  // null: reserved, not implemented yet
};

const std::vector<CommandInfo>& Commands();

int RunCommand(int argc, char** argv);        // cli/run_command.cc
int ValidateCommand(int argc, char** argv);   // cli/validate_command.cc
int DescribeCommand(int argc, char** argv);   // cli/describe_command.cc
int TopicsCommand(int argc, char** argv);     // cli/topics_command.cc
int TestCommand(int argc, char** argv);       // cli/test_command.cc
int OperatorsCommand(int argc, char** argv);  // cli/operators_command.cc
int GenerateCommand(int argc, char** argv);   // cli/generate_command.cc
int ResetCommand(int argc, char** argv);      // cli/reset_command.cc

}  // namespace streamapp::cli
