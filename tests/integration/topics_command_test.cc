// stream-app topics create against the real broker: --config reaches the
// broker (a table topic can be created compacted without Kafka's scripts).
#include <gtest/gtest.h>

#include "support/kafka_test_env.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

testing::CommandRun Topics(const std::string& args) {
  return testing::RunCommand(std::string(STREAM_APP_BINARY) + " topics " + args + " --bootstrap-servers " +
                             testing::Bootstrap());
}

TEST(TopicsCommand, CreatePassesTopicConfigsToTheBroker) {
  const std::string compacted = testing::FreshName("topics-compact");
  testing::CommandRun ok = Topics("create " + compacted + " -p 2 --config cleanup.policy=compact");
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("created " + compacted), std::string::npos) << ok.output;
  testing::CommandRun described = Topics("describe " + compacted);
  EXPECT_NE(described.output.find(compacted + ": 2 partition(s)"), std::string::npos) << described.output;

  // A value the broker refuses proves the config is sent, not dropped.
  const std::string refused = testing::FreshName("topics-bogus");
  testing::CommandRun bad = Topics("create " + refused + " --config cleanup.policy=bogus");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find(refused + ":"), std::string::npos) << bad.output;
}

TEST(TopicsCommand, ConfigWithoutAValueIsAUsageError) {
  testing::CommandRun run = Topics("create " + testing::FreshName("topics-usage") + " --config cleanup.policy");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--config expects NAME=VALUE"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace streamapp
