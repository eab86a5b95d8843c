// The stream-app binary's basic contract: --help, --version, reserved commands.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/run_command.h"

namespace {

using streamapp::testing::CommandRun;

CommandRun RunStreamApp(const std::string& args) {
  return streamapp::testing::RunCommand(std::string(STREAM_APP_BINARY) + " " + args);
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
