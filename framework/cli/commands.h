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

}  // namespace streamapp::cli
