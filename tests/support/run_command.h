// Runs a command line and captures its output and exit code (for tests of
// the stream-app binary).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace streamapp::testing {

struct CommandRun {
  int exit_code;
  std::string output;
};

inline CommandRun RunCommand(const std::string& command_line, bool merge_stderr = true) {
  std::string cmd = command_line + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  return {WEXITSTATUS(status), out};
}

}  // namespace streamapp::testing
