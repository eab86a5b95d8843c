// Runs a program (stream-app) as a child process for integration tests, its
// output going to a log file the test can read and search.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace streamapp::testing {

class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> args, std::string log_path);
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void Signal(int sig);
  // The exit code (128+signal when killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool Running();
  std::string Log() const;
  // Waits until the log contains `needle` `times` times; false on timeout or exit.
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout, int times = 1);
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_path_;
};

// A fresh temporary directory (removed by the caller if wanted).
std::string MakeTempDir(const std::string& prefix);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace streamapp::testing
