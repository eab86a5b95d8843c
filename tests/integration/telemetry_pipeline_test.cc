// The clickstream and IoT pipelines end to end on the real broker: generate
// input (with 2 % bad records) for a fixed seed, run the shipped topology
// exactly-once with this test's topics and application id, read every
// output topic (committed records only) and check it record by record with
// tests/integration/clickstream_check.py / iot_check.py, which compute the
// expected outputs from the generator's dump independently of the C++ code.
//
// The input topic has one partition: the repartitioned steps (page views by
// url, unique users, site statistics) then see records in input order, so
// which records are late and when the silence punctuator fires follow from
// the dump alone and the checks can mirror them exactly. (With several
// input partitions, the order in which upstream tasks fill a repartition
// topic depends on scheduling.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
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

struct PipelineRun {
  std::string name;                  // topology file stem and input topic: clickstream, iot
  std::string app_id;                // the shipped application id
  std::vector<std::string> outputs;  // output topics after "<name>.", dlq included
  std::string generate_args;         // generator options (seed, count, parameters)
  // The sentinel record's value for a timestamp: one record far after the
  // data closes every window and reports every device's last silence.
  std::function<std::string(int64_t)> sentinel;
};

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\t', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Generates, runs, dumps the outputs; returns the checker's output after
// asserting its exit code.
std::string RunAndCheck(const PipelineRun& p) {
  const std::string prefix = testing::FreshName(p.name);
  const std::string dir = testing::MakeTempDir("streamapp-" + p.name + "-e2e");
  std::string topology = ReadFile(std::string(STREAMAPP_SOURCE_DIR) + "/topologies/" + p.name + ".yaml");
  EXPECT_NE(topology.find("id: " + p.app_id), std::string::npos);
  EXPECT_NE(topology.find("topic: " + p.name + "\n"), std::string::npos);
  topology = ReplaceAll(topology, "topic: " + p.name + "\n", "topic: " + prefix + ".input\n");
  topology = ReplaceAll(topology, p.name + ".", prefix + ".");
  topology = ReplaceAll(topology, "id: " + p.app_id, "id: " + prefix);
  topology = ReplaceAll(topology, "proto_paths: [../proto]", "proto_paths: [" STREAMAPP_SOURCE_DIR "/proto]");
  testing::WriteFile(dir + "/" + p.name + ".yaml", topology);

  auto admin = testing::MakeTestAdmin();
  // Event time is in the past: no time-based retention may delete records.
  const std::map<std::string, std::string> keep = {{"retention.ms", "-1"}};
  std::vector<kafka::NewTopic> topics = {{prefix + ".input", 1, 1, keep}};
  for (const std::string& o : p.outputs) topics.push_back({prefix + "." + o, 3, 1, keep});
  EXPECT_TRUE(admin->CreateTopics(topics, 60s).ok());

  const std::string dump = dir + "/input.jsonl";
  testing::CommandRun gen =
      testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate " + p.name + " " + p.generate_args +
                          " --bad-ratio 0.02 --no-create-topics --topic " + prefix + ".input --dump " + dump +
                          " --bootstrap-servers " + testing::Bootstrap());
  EXPECT_EQ(gen.exit_code, 0) << gen.output;

  int64_t last = 0;
  size_t records = 0;
  {
    std::ifstream in(dump);
    std::string line;
    generators::ReplayRecord r;
    while (std::getline(in, line)) {
      EXPECT_TRUE(generators::ParseReplayLine(line, &r).ok()) << line;
      last = std::max(last, r.timestamp.value_or(0));
      ++records;
    }
  }
  const int64_t at = last + 2 * 3600 * 1000;
  const std::string sentinel = R"({"topic":")" + prefix + R"(.input","key":"sentinel","value":)" + p.sentinel(at) +
                               R"(,"timestamp":)" + std::to_string(at) + "}\n";
  testing::WriteFile(dir + "/sentinels.jsonl", sentinel);
  testing::CommandRun replay = testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate --replay " + dir +
                                                   "/sentinels.jsonl --bootstrap-servers " + testing::Bootstrap());
  EXPECT_EQ(replay.exit_code, 0) << replay.output;
  ++records;

  // The worker also counts the records it reads back from repartition
  // topics; the check script knows how many valid records go there.
  const std::string check_script = "python3 " + std::string(STREAMAPP_SOURCE_DIR) + "/tests/integration/" + p.name +
                                   "_check.py --input " + dump + " --sentinels " + dir + "/sentinels.jsonl";
  testing::CommandRun count = testing::RunCommand(check_script + " --count-processed");
  EXPECT_EQ(count.exit_code, 0) << count.output;
  const std::string processed = count.output.substr(0, count.output.find('\n'));
  EXPECT_GT(std::stoul(processed), records) << count.output;

  testing::ChildProcess worker(
      {STREAM_APP_BINARY, "run", "--topology", dir + "/" + p.name + ".yaml", "--bootstrap-servers",
       testing::Bootstrap(), "--state-dir", dir + "/state", "--set", "metrics.log.interval.ms=500"},
      dir + "/worker.log");
  EXPECT_TRUE(worker.WaitForLog("processed " + processed + ",", 300s)) << worker.Log();
  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.Wait(60s), 0) << worker.Log();

  // Every output, committed records only: "key TAB value TAB error" lines
  // (error: the dead-letter topic's streamapp.error header).
  std::filesystem::create_directories(dir + "/out");
  for (const std::string& name : p.outputs) {
    std::string lines;
    for (const kafka::Message& m : testing::ReadAll({prefix + "." + name}, SIZE_MAX, "read_committed", 3s)) {
      std::string error;
      for (const Header& h : m.headers) {
        if (h.key == "streamapp.error") error = h.value;
      }
      lines += (m.key ? *m.key : "") + "\t" + (m.value ? OneLine(*m.value) : "") + "\t" + OneLine(error) + "\n";
    }
    testing::WriteFile(dir + "/out/" + name, lines);
  }
  testing::CommandRun check = testing::RunCommand(check_script + " --outputs " + dir + "/out");
  std::cout << check.output;
  EXPECT_EQ(check.exit_code, 0) << check.output;
  return check.output;
}

TEST(ClickstreamPipeline, OutputsEqualAnIndependentComputationFromTheGeneratedInput) {
  // 6 000 clicks of 1 000 users, about 1.7 hours of event time: some
  // thousand minute windows and about 750 sessions.
  PipelineRun p;
  p.name = "clickstream";
  p.app_id = "clickstream-analytics";
  p.outputs = {"pageviews.1m", "sessions", "unique_users.1m", "dlq"};
  p.generate_args = "--count 6000 --seed 21 --start-time 2026-01-01T00:00:00Z";
  p.sentinel = [](int64_t at) {
    return R"({"event_id":"e-sentinel","user_id":"sentinel","url":"/","referrer":"","ua":"test","ts":)" +
           std::to_string(at) + "}";
  };
  const std::string out = RunAndCheck(p);
  // Guard against a vacuous pass (the check also fails on an empty output).
  EXPECT_NE(out.find("checked:"), std::string::npos) << out;
}

TEST(IotPipeline, OutputsEqualAnIndependentComputationFromTheGeneratedInput) {
  // 8 000 readings of 20 devices every 10 s: about 67 minutes. More
  // silences, dying batteries and drifting sensors than the defaults, so
  // every alert kind occurs.
  PipelineRun p;
  p.name = "iot";
  p.app_id = "iot-telemetry";
  p.outputs = {"device_stats.1m", "site_stats.1m", "alerts", "dlq"};
  p.generate_args =
      "--count 8000 --seed 31 --start-time 2026-01-01T00:00:00Z --set devices=20 --set silence_probability=0.003 "
      "--set dying_ratio=0.25 --set drifting_ratio=0.3 --set drift_per_hour=20";
  p.sentinel = [](int64_t at) {
    return R"({"device_id":"sentinel","site":"sentinel","temp_c":21.0,"humidity":50.0,"battery":100.0,)"
           R"("signal_strength":-60,"ts":)" +
           std::to_string(at) + "}";
  };
  const std::string out = RunAndCheck(p);
  EXPECT_NE(out.find("checked:"), std::string::npos) << out;
}

}  // namespace
}  // namespace streamapp
