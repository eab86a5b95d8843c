// Child processes of the chaos runner. Unlike tests/support's ChildProcess,
// these die with the runner (PR_SET_PDEATHSIG): a runner killed by a CTest
// timeout must not leave workers behind, and the runner needs their pids.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace streamapp::chaos {

class Child {
 public:
  // Runs args[0] (a path) with stdout and stderr to log_path (appended).
  Child(const std::vector<std::string>& args, std::string log_path);
  ~Child();  // SIGKILLs a child still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // The exit code (128+signal when killed by one), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool Running() { return !Wait(std::chrono::milliseconds(0)); }
  std::optional<int> exit_code() const { return exit_code_; }
  const std::string& log_path() const { return log_path_; }
  // Waits until the log contains `needle`; false on timeout or exit.
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_path_;
};

std::string ReadFileText(const std::string& path);
// The last `lines` lines of a file.
std::string Tail(const std::string& path, int lines);

// Runs a shell command; returns its exit code and stdout (stderr goes where
// the command says).
struct ShellResult {
  int exit_code = -1;
  std::string out;
};
ShellResult Shell(const std::string& command);

// Starts `sh -c script` in a session of its own, detached from the runner's
// output, so that it survives the runner (a watchdog).
void SpawnDetached(const std::string& script, const std::string& log_path);

}  // namespace streamapp::chaos
