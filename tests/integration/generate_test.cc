// stream-app generate against the real broker: what it produces equals its
// own --dump of the same seed, and a replay of a dump produces the dump.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "streamapp/generators/replay.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;

constexpr int kPartitions = 3;

// Per topic, per key: the (value, timestamp) sequence (the order Kafka keeps).
using Sequences = std::map<std::string, std::map<std::string, std::vector<std::pair<std::string, int64_t>>>>;

Sequences ReadDump(const std::string& path, const std::string& topic_override = "") {
  Sequences out;
  std::ifstream in(path);
  std::string line;
  generators::ReplayRecord r;
  while (std::getline(in, line)) {
    Status st = generators::ParseReplayLine(line, &r);
    EXPECT_TRUE(st.ok()) << st.message();
    out[topic_override.empty() ? r.topic : topic_override][r.key.value_or("")].emplace_back(r.value.value_or(""),
                                                                                            *r.timestamp);
  }
  return out;
}

size_t Count(const Sequences& s, const std::string& topic) {
  size_t n = 0;
  if (auto it = s.find(topic); it != s.end()) {
    for (const auto& [key, records] : it->second) n += records.size();
  }
  return n;
}

int64_t RecordsIn(const std::string& topic) {
  auto admin = testing::MakeTestAdmin();
  int64_t n = 0;
  for (int p = 0; p < kPartitions; ++p) {
    auto w = admin->QueryWatermarks({topic, PartitionId(p)}, 30s);
    EXPECT_TRUE(w.ok()) << w.status().message();
    if (w.ok()) n += w->high.value() - w->low.value();
  }
  return n;
}

void ExpectTopicHolds(const std::string& topic, const Sequences& expected) {
  const size_t n = Count(expected, topic);
  EXPECT_EQ(RecordsIn(topic), static_cast<int64_t>(n)) << topic;
  Sequences got;
  for (const kafka::Message& m : testing::ReadAll({topic}, n, "read_uncommitted")) {
    got[topic][m.key.value_or("")].emplace_back(m.value.value_or(""), m.timestamp.value());
  }
  ASSERT_EQ(Count(got, topic), n) << topic;
  EXPECT_TRUE(got.at(topic) == expected.at(topic)) << topic;
}

std::string Generate(const std::string& args) {
  return std::string(STREAM_APP_BINARY) + " generate " + args;
}

TEST(GenerateCrypto, ProducesExactlyWhatItsDumpHolds) {
  const std::string trades = testing::CreateFreshTopic("gen-trades", kPartitions);
  const std::string tickers = testing::CreateFreshTopic("gen-tickers", kPartitions);
  const std::string dir = testing::MakeTempDir("streamapp-gen-it");
  const std::string args = "crypto --count 20000 --seed 7 --start-time 2026-01-01T00:00:00Z --bad-ratio 0.01 --topic " +
                           trades + " --set tickers_topic=" + tickers;

  auto produced = testing::RunCommand(Generate(args + " --bootstrap-servers " + testing::Bootstrap()));
  ASSERT_EQ(produced.exit_code, 0) << produced.output;
  EXPECT_NE(produced.output.find("(20000 to " + trades), std::string::npos) << produced.output;
  auto dumped = testing::RunCommand(Generate(args + " --dump " + dir + "/crypto.jsonl"));
  ASSERT_EQ(dumped.exit_code, 0) << dumped.output;

  const Sequences expected = ReadDump(dir + "/crypto.jsonl");
  ASSERT_EQ(Count(expected, trades), 20000u);
  ASSERT_GT(Count(expected, tickers), 0u);
  ExpectTopicHolds(trades, expected);
  ExpectTopicHolds(tickers, expected);
  std::system(("rm -rf " + dir).c_str());
}

TEST(GenerateReplay, ReplayOfADumpProducesTheDump) {
  const std::string topic = testing::CreateFreshTopic("gen-replay", kPartitions);
  const std::string dir = testing::MakeTempDir("streamapp-gen-it");
  // With malformed records, so text (non-JSON) values go through too.
  auto dumped = testing::RunCommand(
      Generate("sales --count 10000 --seed 3 --bad-ratio 0.05 --start-time 1767225600000 --dump " + dir + "/s.jsonl"));
  ASSERT_EQ(dumped.exit_code, 0) << dumped.output;

  auto replayed = testing::RunCommand(Generate("--replay " + dir + "/s.jsonl --speed 0 --topic " + topic +
                                               " --bootstrap-servers " + testing::Bootstrap()));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  EXPECT_NE(replayed.output.find("replayed 10000 records"), std::string::npos) << replayed.output;
  ExpectTopicHolds(topic, ReadDump(dir + "/s.jsonl", topic));
  std::system(("rm -rf " + dir).c_str());
}

TEST(GenerateReplay, SpeedFollowsTheRecordedGaps) {
  const std::string topic = testing::CreateFreshTopic("gen-speed", kPartitions);
  const std::string dir = testing::MakeTempDir("streamapp-gen-it");
  // Two records 2 s apart in event time, replayed at speed 2: about 1 s.
  testing::WriteFile(dir + "/two.jsonl",
                     "{\"key\":\"a\",\"value\":{\"n\":1},\"timestamp\":1000}\n"
                     "{\"key\":\"b\",\"value\":{\"n\":2},\"timestamp\":3000}\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto replayed = testing::RunCommand(Generate("--replay " + dir + "/two.jsonl --speed 2 --topic " + topic +
                                               " --bootstrap-servers " + testing::Bootstrap()));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  EXPECT_GE(elapsed, 1s);
  ExpectTopicHolds(topic, ReadDump(dir + "/two.jsonl", topic));
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace streamapp
