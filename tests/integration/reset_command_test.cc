// stream-app reset on the real broker: a stateful word count replayed from
// the earliest offsets gives the same output again; a reset to a time
// between two batches replays only the later one; reset refuses while a
// worker is in the group (--force waits for it to go); --dry-run changes
// nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>

#include "support/child_process.h"
#include "support/kafka_test_env.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using Sequences = std::map<std::string, std::vector<std::string>>;  // key -> its output values in order

constexpr int kPartitions = 3;
constexpr int kKeys = 17;

class ResetCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = testing::FreshName("reset-app");
    dir_ = testing::MakeTempDir("streamapp-reset-it");
    state_ = dir_ + "/state";
    in_ = testing::CreateFreshTopic("reset-in", kPartitions);
    out_ = testing::CreateFreshTopic("reset-out", kPartitions);
    topology_ = dir_ + "/wordcount.yaml";
    testing::WriteFile(topology_, "version: 1\napplication:\n  id: " + app_ + "\nstreams:\n  words: {topic: " + in_ +
                                      ", key: string, value: string}\n  counts: {topic: " + out_ +
                                      ", key: string, value: json}\n"
                                      "pipelines:\n  count:\n    from: words\n    steps:\n"
                                      "      - groupBy: \"$value\"\n"
                                      "      - count: {store: word-counts}\n"
                                      "      - to: counts\n");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // No record cache: every input record gives one output record, so the
  // output of a run is deterministic per key.
  std::unique_ptr<ChildProcess> StartWorker(const std::string& name, int session_timeout_ms = 6000) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{STREAM_APP_BINARY, "run", "--topology", topology_, "--bootstrap-servers",
                                 testing::Bootstrap(), "--state-dir", state_, "--set", "commit.interval.ms=200",
                                 "--set", "cache.max.bytes=0", "--set",
                                 "kafka.session.timeout.ms=" + std::to_string(session_timeout_ms)},
        dir_ + "/" + name + ".log");
  }

  static void StopCleanly(ChildProcess& worker) {
    worker.Signal(SIGTERM);
    auto code = worker.Wait(120s);
    ASSERT_TRUE(code.has_value()) << "worker did not stop";
    ASSERT_EQ(*code, 0) << worker.Log();
  }

  static std::string Word(int i) { return "w" + std::to_string((i * 7919) % kKeys); }

  // Words i in [from, to), each with the given timestamp (or now).
  void Produce(int from, int to, int64_t timestamp = Timestamp::kUnknown) {
    auto producer = kafka::MakeProducer(testing::BaseConfig());
    ASSERT_TRUE(producer.ok());
    for (int i = from; i < to; ++i) {
      const std::string word = Word(i);
      kafka::OutboundMessage m;
      m.topic = in_;
      m.key = std::string_view(word);
      m.value = std::string_view(word);
      m.timestamp = Timestamp(timestamp);
      ASSERT_TRUE((*producer)->Send(m).ok());
    }
    ASSERT_TRUE((*producer)->Flush(60s).ok());
  }

  using Marks = std::map<int, int64_t>;  // output partition -> offset

  // The output topic's end offsets: where the next run's output starts.
  Marks EndOffsets() {
    auto admin = testing::MakeTestAdmin();
    Marks out;
    for (int p = 0; p < kPartitions; ++p) {
      auto w = admin->QueryWatermarks({out_, PartitionId(p)}, 30s);
      EXPECT_TRUE(w.ok());
      out[p] = w.ok() ? w->high.value() : 0;
    }
    return out;
  }

  // Waits for `total` output records, and returns those at or after `from`
  // (per partition) grouped by key, in order.
  Sequences Output(size_t total, const Marks& from = {}) {
    auto records = testing::ReadAll({out_}, total, "read_committed", 10s);
    EXPECT_EQ(records.size(), total);
    Sequences out;
    for (const auto& m : records) {
      auto it = from.find(m.partition.value());
      if (it != from.end() && m.offset.value() < it->second) continue;
      out[m.key.value_or("")].push_back(m.value.value_or(""));
    }
    return out;
  }

  // Per key, the counts 1..n the word count must emit for words [from, to).
  static Sequences Expected(int from, int to) {
    std::map<std::string, int> counts;
    Sequences out;
    for (int i = from; i < to; ++i) out[Word(i)].push_back(std::to_string(++counts[Word(i)]));
    return out;
  }

  testing::CommandRun Reset(const std::string& args) {
    return testing::RunCommand(std::string(STREAM_APP_BINARY) + " reset --topology " + topology_ +
                               " --bootstrap-servers " + testing::Bootstrap() + " --state-dir " + state_ + " " + args);
  }

  std::map<kafka::TopicPartition, Offset> Committed() {
    auto groups = kafka::MakeGroupAdmin(testing::BaseConfig());
    EXPECT_TRUE(groups.ok());
    std::vector<kafka::TopicPartition> parts;
    for (int p = 0; p < kPartitions; ++p) parts.push_back({in_, PartitionId(p)});
    auto committed = (*groups)->CommittedOffsets(app_, parts, 30s);
    EXPECT_TRUE(committed.ok()) << committed.status().ToString();
    return committed.ok() ? *committed : std::map<kafka::TopicPartition, Offset>{};
  }

  bool TopicExists(const std::string& topic) {
    auto count = testing::MakeTestAdmin()->PartitionCount(topic, 30s);
    EXPECT_TRUE(count.ok() || count.status().code() == StatusCode::kNotFound) << count.status().ToString();
    return count.ok();
  }

  std::string Changelog() const { return app_ + "-word-counts-changelog"; }

  std::string app_, dir_, state_, in_, out_, topology_;
};

TEST_F(ResetCommandTest, ResetToEarliestReplaysIdenticalOutput) {
  constexpr int n = 400;
  Produce(0, n);
  auto first = StartWorker("first");
  const Sequences first_output = Output(n);
  StopCleanly(*first);
  EXPECT_EQ(first_output, Expected(0, n));
  ASSERT_TRUE(TopicExists(Changelog()));
  ASSERT_TRUE(std::filesystem::exists(state_ + "/" + app_));

  auto reset = Reset("--to-earliest");
  ASSERT_EQ(reset.exit_code, 0) << reset.output;
  EXPECT_NE(reset.output.find(in_ + "-0: "), std::string::npos) << reset.output;
  EXPECT_NE(reset.output.find("deleting internal topic " + Changelog()), std::string::npos) << reset.output;
  EXPECT_NE(reset.output.find("reset done"), std::string::npos) << reset.output;
  EXPECT_FALSE(TopicExists(Changelog()));
  EXPECT_FALSE(std::filesystem::exists(state_ + "/" + app_));
  for (const auto& [tp, offset] : Committed()) EXPECT_EQ(offset.value(), 0) << tp.ToString();

  // The replay starts from empty state: the same counts, record for record.
  const Marks second_start = EndOffsets();
  auto second = StartWorker("second");
  const Sequences second_output = Output(2 * n, second_start);
  StopCleanly(*second);
  EXPECT_EQ(second_output, first_output);
}

TEST_F(ResetCommandTest, ResetToDatetimeReplaysOnlyLaterRecords) {
  // Two batches an hour apart, both recent enough for the broker's retention.
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t early = now - 2 * 3600 * 1000, late = now - 3600 * 1000;
  constexpr int a = 150, b = 250;
  Produce(0, a, early);
  Produce(a, a + b, late);
  auto first = StartWorker("first");
  EXPECT_EQ(Output(a + b), Expected(0, a + b));
  StopCleanly(*first);

  // Half an hour before the second batch, as ISO 8601 UTC.
  const std::time_t between = (late - 1800 * 1000) / 1000;
  char iso[32];
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&between));
  auto reset = Reset(std::string("--to-datetime ") + iso);
  ASSERT_EQ(reset.exit_code, 0) << reset.output;

  const Marks second_start = EndOffsets();
  auto second = StartWorker("second");
  const Sequences replay = Output(a + 2 * b, second_start);
  StopCleanly(*second);
  // Counts of the later batch alone: the earlier one is neither replayed nor in the state.
  EXPECT_EQ(replay, Expected(a, a + b));
  // Nothing more than the later batch was written.
  EXPECT_EQ(testing::ReadAll({out_}, a + 2 * b + 1, "read_committed", 3s).size(), size_t(a + 2 * b));
}

TEST_F(ResetCommandTest, RefusesWhileAWorkerRunsAndForceWaitsForItToLeave) {
  constexpr int n = 100;
  Produce(0, n);
  // A long session: the killed worker below must still be a member when the
  // reset starts, however slow the machine (ASan) is.
  auto worker = StartWorker("worker", 30000);
  Output(n);  // it is in the group and processing
  auto refused = Reset("--to-earliest");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("active member"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--force"), std::string::npos) << refused.output;
  EXPECT_TRUE(TopicExists(Changelog()));
  for (const auto& [tp, offset] : Committed()) EXPECT_GE(offset.value(), 0) << tp.ToString();

  // A worker killed without leaving stays a member until its session times
  // out (30 s here); --force waits for that instead of refusing.
  worker->Signal(SIGKILL);
  ASSERT_TRUE(worker->Wait(30s).has_value());
  auto forced = Reset("--to-earliest --force --timeout-ms 120000");
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  // The killed worker was still a member when the reset began (its session
  // outlives the reset's start by seconds): --force waited for it.
  EXPECT_NE(forced.output.find("will wait for them to leave"), std::string::npos) << forced.output;
  EXPECT_FALSE(TopicExists(Changelog()));
  auto committed = Committed();
  EXPECT_EQ(committed.size(), size_t(kPartitions));
  for (const auto& [tp, offset] : committed) EXPECT_EQ(offset.value(), 0) << tp.ToString();
}

TEST_F(ResetCommandTest, DryRunChangesNothing) {
  constexpr int n = 120;
  Produce(0, n);
  auto worker = StartWorker("worker");
  Output(n);
  StopCleanly(*worker);
  const auto before = Committed();
  ASSERT_EQ(before.size(), size_t(kPartitions));

  auto dry = Reset("--to-earliest --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  for (const auto& [tp, offset] : before) {
    EXPECT_NE(dry.output.find(tp.ToString() + ": " + std::to_string(offset.value()) + " -> 0"), std::string::npos)
        << dry.output;
  }
  EXPECT_NE(dry.output.find(Changelog()), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("-repartition"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find(state_ + "/" + app_), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("dry run: nothing changed"), std::string::npos) << dry.output;

  const auto after = Committed();
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [tp, offset] : before) EXPECT_EQ(after.at(tp).value(), offset.value()) << tp.ToString();
  EXPECT_TRUE(TopicExists(Changelog()));
  EXPECT_TRUE(std::filesystem::exists(state_ + "/" + app_));
}

TEST_F(ResetCommandTest, RejectsBadOptions) {
  EXPECT_EQ(Reset("--to-earliest --to-latest").exit_code, 2);
  EXPECT_EQ(Reset("--by-duration 1h").exit_code, 2);
  EXPECT_EQ(Reset("--to-datetime yesterday").exit_code, 2);
  auto not_input = Reset("--input-topic no-such-topic --dry-run");
  EXPECT_EQ(not_input.exit_code, 1);
  EXPECT_NE(not_input.output.find("not an input topic"), std::string::npos) << not_input.output;
}

}  // namespace
}  // namespace streamapp
