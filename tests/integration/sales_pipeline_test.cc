// The retail sales pipeline end to end on the real broker: generate orders
// (with bad and late ones) for a fixed seed, run topologies/sales.yaml
// exactly-once, read every output topic, and check it record by record
// against tests/integration/sales_check.py, which computes the expected
// outputs from the generator's dump independently of the C++ code.
//
// The input topic has one partition: with several, the repartitioned
// (per client, country, category) steps would see the orders interleaved
// in whatever order the source tasks ran, and which late orders a window
// drops (and the order of a client's updates) would depend on that
// scheduling. With one, every step sees the dump order, so late orders
// (up to 15 minutes late against a 10-minute grace) are checked exactly,
// dropped ones included, and their count against the worker's metric.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
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

constexpr int kOutputPartitions = 3;
const std::vector<std::string> kOutputs = {"orders.bronze",       "client_stats",    "country_revenue.1h",
                                           "category_revenue.1d", "client_segments", "loyal_clients",
                                           "top_clients.1h"};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(SalesPipeline, OutputsEqualAnIndependentComputationFromTheGeneratedInput) {
  const std::string prefix = testing::FreshName("sales");
  const std::string dir = testing::MakeTempDir("streamapp-sales-e2e");
  const std::string source = STREAMAPP_SOURCE_DIR;
  // The shipped topology, with this test's topics and application id.
  std::string topology = ReadFile(source + "/topologies/sales.yaml");
  ASSERT_NE(topology.find("id: sales-analytics"), std::string::npos);
  ASSERT_NE(topology.find("proto_paths: [../proto]"), std::string::npos);
  topology = ReplaceAll(ReplaceAll(topology, "sales.", prefix + "."), "id: sales-analytics", "id: " + prefix);
  topology = ReplaceAll(topology, "proto_paths: [../proto]", "proto_paths: [" + source + "/proto]");
  testing::WriteFile(dir + "/sales.yaml", topology);

  auto admin = testing::MakeTestAdmin();
  std::vector<kafka::NewTopic> topics = {{prefix + ".orders", 1, 1, {}}};
  for (const std::string& o : kOutputs) {
    std::map<std::string, std::string> configs;
    if (o == "client_stats") configs["cleanup.policy"] = "compact";  // a table topic
    topics.push_back({prefix + "." + o, kOutputPartitions, 1, configs});
  }
  ASSERT_TRUE(admin->CreateTopics(topics, 60s).ok());

  // 8 000 orders (2 % malformed, 10 % up to 15 minutes late), 10 minutes of
  // event time apart on average: about 55 days, so hours, days and 7-day
  // loyalty windows all close many times; 1 000 clients, so that about 40 %
  // of them become loyal.
  const std::string dump = dir + "/input.jsonl";
  testing::CommandRun gen = testing::RunCommand(
      std::string(STREAM_APP_BINARY) + " generate sales --count 8000 --seed 7 --bad-ratio 0.02 " +
      "--set order_gap_ms=600000 --set late_ratio=0.1 --set clients=1000 --start-time 2026-01-01T00:00:00Z --topic " +
      prefix + ".orders --dump " + dump + " --bootstrap-servers " + testing::Bootstrap() + " --no-create-topics");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;

  // One order two days after the last one closes every hourly and daily
  // window of the generated data.
  int64_t last = 0;
  {
    std::ifstream in(dump);
    std::string line;
    generators::ReplayRecord r;
    while (std::getline(in, line)) {
      ASSERT_TRUE(generators::ParseReplayLine(line, &r).ok()) << line;
      last = std::max(last, r.timestamp.value_or(0));
    }
  }
  const std::string at = std::to_string(last + 2 * 86400 * 1000);
  testing::WriteFile(dir + "/sentinels.jsonl",
                     R"({"topic":")" + prefix + R"(.orders","key":"o-sentinel","value":{"order_id":"o-sentinel",)" +
                         R"("client_id":"c-sentinel","client_name":"Sentinel","country":"US","product":"pen",)" +
                         R"("category":"office","quantity":1,"unit_price":1.5,"amount":1.5,"payment_method":"card",)" +
                         R"("event_time":)" + at + R"(},"timestamp":)" + at + "}\n");
  testing::CommandRun replay = testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate --replay " + dir +
                                                   "/sentinels.jsonl --bootstrap-servers " + testing::Bootstrap());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;

  // The checker says how many records the worker processes in all (inputs
  // and repartitioned records); that count in the metrics log means done.
  const std::string check_cmd = "python3 " + source + "/tests/integration/sales_check.py --input " + dump +
                                " --sentinels " + dir + "/sentinels.jsonl";
  testing::CommandRun count = testing::RunCommand(check_cmd + " --print-processed");
  ASSERT_EQ(count.exit_code, 0) << count.output;
  const std::string processed = Trim(count.output);

  testing::ChildProcess worker(
      {STREAM_APP_BINARY, "run", "--topology", dir + "/sales.yaml", "--bootstrap-servers", testing::Bootstrap(),
       "--state-dir", dir + "/state", "--set", "metrics.log.interval.ms=500"},
      dir + "/worker.log");
  ASSERT_TRUE(worker.WaitForLog("processed " + processed + ",", 300s)) << worker.Log();
  worker.Signal(SIGTERM);
  ASSERT_EQ(worker.Wait(60s), 0) << worker.Log();
  // Late orders dropped by the windowed steps, from the metrics line of the
  // finished run.
  std::smatch m;
  const std::string log = worker.Log();
  const std::regex done("processed " + processed + ",[^\n]*late-dropped ([0-9]+)");
  ASSERT_TRUE(std::regex_search(log, m, done)) << log;
  const std::string late_dropped = m[1];

  // Every output, committed records only, as "key TAB value" lines (the
  // dead-letter topic adds TAB streamapp.error).
  std::filesystem::create_directories(dir + "/out");
  std::vector<std::string> names = kOutputs;
  names.push_back("dlq");
  for (const std::string& name : names) {
    std::string lines;
    for (const kafka::Message& msg : testing::ReadAll({prefix + "." + name}, SIZE_MAX, "read_committed", 3s)) {
      lines += (msg.key ? *msg.key : "") + "\t" + (msg.value ? *msg.value : "");
      if (name == "dlq") {
        for (const kafka::Header& h : msg.headers)
          if (h.key == "streamapp.error") lines += "\t" + h.value;
      }
      lines += "\n";
    }
    testing::WriteFile(dir + "/out/" + name, lines);
  }
  testing::CommandRun check =
      testing::RunCommand(check_cmd + " --outputs " + dir + "/out --late-dropped " + late_dropped);
  std::cout << check.output;
  EXPECT_EQ(check.exit_code, 0) << check.output;
  // Guard against a vacuous pass: every output got records, late ones were dropped.
  for (const std::string& name : names) {
    EXPECT_GT(std::filesystem::file_size(dir + "/out/" + name), 0u) << name;
  }
  EXPECT_NE(late_dropped, "0");
}

}  // namespace
}  // namespace streamapp
