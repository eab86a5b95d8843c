// The crypto pipeline end to end on the real broker: generate trades (with
// bad records) and tickers for a fixed seed, run topologies/crypto.yaml
// exactly-once, read every output topic, and check it record by record
// against tests/integration/crypto_check.py, which computes the expected
// outputs from the generator's dump independently of the C++ code.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "streamapp/generators/replay.h"
#include "support/child_process.h"
#include "support/files.h"
#include "support/kafka_test_env.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

using testing::ReadFile;
using testing::ReplaceAll;

using namespace std::chrono_literals;

constexpr int kPartitions = 6;
const std::vector<std::string> kOutputs = {"trades.clean",
                                           "ohlcv.1m",
                                           "ohlcv.5m",
                                           "ohlcv.15m",
                                           "ohlcv.1h",
                                           "ohlcv.4h",
                                           "ohlcv.1d",
                                           "indicators.1m",
                                           "alerts",
                                           "tickers.averages",
                                           "tickers.volume_change",
                                           "market_cap_share"};
const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT", "ADAUSDT",  "SOLUSDT", "DOTUSDT",
                                           "XRPUSDT", "LTCUSDT", "LINKUSDT", "UNIUSDT", "AAVEUSDT"};

TEST(CryptoPipeline, OutputsEqualAnIndependentComputationFromTheGeneratedInput) {
  const std::string prefix = testing::FreshName("crypto");
  const std::string dir = testing::MakeTempDir("streamapp-crypto-e2e");
  // The shipped topology, with this test's topics and application id.
  std::string topology = ReadFile(std::string(STREAMAPP_SOURCE_DIR) + "/topologies/crypto.yaml");
  ASSERT_NE(topology.find("id: crypto-analytics"), std::string::npos);
  topology = ReplaceAll(ReplaceAll(topology, "crypto.", prefix + "."), "id: crypto-analytics", "id: " + prefix);
  testing::WriteFile(dir + "/crypto.yaml", topology);

  auto admin = testing::MakeTestAdmin();
  std::vector<kafka::NewTopic> topics = {{prefix + ".trades", kPartitions, 1, {}},
                                         {prefix + ".tickers", 1, 1, {}}};  // as the topology declares
  for (const std::string& o : kOutputs) topics.push_back({prefix + "." + o, kPartitions, 1, {}});
  ASSERT_TRUE(admin->CreateTopics(topics, 60s).ok());

  // 12 000 trades (2 % malformed), 200 ms of event time apart on average,
  // cover about 40 minutes: 40 one-minute candles per symbol, enough for
  // every indicator to warm up (the MACD signal needs 34). Few records keep
  // the exactly-once run short under the sanitizers too.
  const std::string dump = dir + "/input.jsonl";
  testing::CommandRun gen =
      testing::RunCommand(std::string(STREAM_APP_BINARY) +
                          " generate crypto --count 12000 --seed 11 --bad-ratio 0.02 --set trade_gap_ms=200 --topic " +
                          prefix + ".trades --set tickers_topic=" + prefix + ".tickers --dump " + dump +
                          " --bootstrap-servers " + testing::Bootstrap());
  ASSERT_EQ(gen.exit_code, 0) << gen.output;

  // One trade per symbol two hours after the last one closes every 1m..1h
  // window of the generated data (each symbol's partition gets one).
  int64_t last = 0;
  size_t records = 0;
  size_t tickers = 0;
  {
    std::ifstream in(dump);
    std::string line;
    generators::ReplayRecord r;
    while (std::getline(in, line)) {
      ASSERT_TRUE(generators::ParseReplayLine(line, &r).ok()) << line;
      last = std::max(last, r.timestamp.value_or(0));
      ++records;
      if (r.topic == prefix + ".tickers") ++tickers;
    }
  }
  std::string sentinels;
  const int64_t at = last + 2 * 3600 * 1000;
  for (const std::string& s : kSymbols) {
    sentinels += R"({"topic":")" + prefix + R"(.trades","key":")" + s + R"(","value":{"symbol":")" + s +
                 R"(","trade_id":0,"price":1,"quantity":1,"is_buyer_maker":true,"event_time":)" + std::to_string(at) +
                 R"(},"timestamp":)" + std::to_string(at) + "}\n";
  }
  testing::WriteFile(dir + "/sentinels.jsonl", sentinels);
  testing::CommandRun replay = testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate --replay " + dir +
                                                   "/sentinels.jsonl --bootstrap-servers " + testing::Bootstrap());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  records += kSymbols.size();
  // The market-cap share re-keys the tickers through a repartition topic,
  // where the worker consumes (and counts) each ticker a second time.
  records += tickers;

  testing::ChildProcess worker(
      {STREAM_APP_BINARY, "run", "--topology", dir + "/crypto.yaml", "--bootstrap-servers", testing::Bootstrap(),
       "--state-dir", dir + "/state", "--set", "metrics.log.interval.ms=500"},
      dir + "/worker.log");
  ASSERT_TRUE(worker.WaitForLog("processed " + std::to_string(records) + ",", 300s)) << worker.Log();
  worker.Signal(SIGTERM);
  ASSERT_EQ(worker.Wait(60s), 0) << worker.Log();

  // Every output, committed records only, as "key TAB value" lines.
  std::filesystem::create_directories(dir + "/out");
  std::vector<std::string> names = kOutputs;
  names.push_back("dlq");
  for (const std::string& name : names) {
    std::string lines;
    for (const kafka::Message& m : testing::ReadAll({prefix + "." + name}, SIZE_MAX, "read_committed", 3s)) {
      lines += (m.key ? *m.key : "") + "\t" + (m.value ? *m.value : "") + "\n";
    }
    testing::WriteFile(dir + "/out/" + name, lines);
  }
  testing::CommandRun check = testing::RunCommand("python3 " + std::string(STREAMAPP_SOURCE_DIR) +
                                                  "/tests/integration/crypto_check.py --input " + dump +
                                                  " --sentinels " + dir + "/sentinels.jsonl --outputs " + dir + "/out");
  std::cout << check.output;
  EXPECT_EQ(check.exit_code, 0) << check.output;
  // Guard against a vacuous pass: the run must have produced real results.
  EXPECT_NE(check.output.find("indicator records"), std::string::npos);
  EXPECT_EQ(check.output.find("candles {'1m': 0"), std::string::npos) << check.output;
  EXPECT_EQ(check.output.find(" 0 market-cap shares"), std::string::npos) << check.output;
}

}  // namespace
}  // namespace streamapp
