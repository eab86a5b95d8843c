// The stream-app binary's basic contract: --help, --version, reserved commands.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct CommandRun {
  int exit_code;
  std::string output;
};

CommandRun RunStreamApp(const std::string& args) {
  std::string cmd = std::string(STREAM_APP_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  return {WEXITSTATUS(status), out};
}

TEST(Cli, HelpListsCommands) {
  CommandRun r = RunStreamApp("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("Usage: stream-app"), std::string::npos);
  EXPECT_NE(r.output.find("run"), std::string::npos);
  EXPECT_NE(r.output.find("validate"), std::string::npos);
}

TEST(Cli, VersionNamesLibrdkafka) {
  CommandRun r = RunStreamApp("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("stream-app 0."), std::string::npos);
  EXPECT_NE(r.output.find("librdkafka 2."), std::string::npos);
}

TEST(Cli, UnknownCommandFails) {
  CommandRun r = RunStreamApp("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown command 'frobnicate'"), std::string::npos);
}

}  // namespace
