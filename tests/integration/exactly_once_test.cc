// Exactly-once on the real broker: injected abortable and fencing errors,
// fencing by another producer, stream time kept with the committed offsets,
// and local state that a crash never trusts.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "kafka/clients.h"
#include "runtime/stream_task.h"
#include "streamapp/kafka_streams.h"
#include "streamapp/topology_file.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

constexpr int kPartitions = 4;

// Commits fail as planned (by the number of the CommitTransaction call,
// counted over every producer the factory made): abortable errors without
// committing, or a fenced producer.
class FaultPlan {
 public:
  std::set<int> abortable, fenced;  // set before the app starts
  std::atomic<int> commits{0}, injected{0};
};

class FaultyProducer final : public kafka::Producer {
 public:
  FaultyProducer(std::unique_ptr<kafka::Producer> inner, FaultPlan& plan) : inner_(std::move(inner)), plan_(plan) {}
  Status Send(const kafka::OutboundMessage& m) override { return inner_->Send(m); }
  Status Flush(std::chrono::milliseconds t) override { return inner_->Flush(t); }
  void Poll() override { inner_->Poll(); }
  Status InitTransactions(std::chrono::milliseconds t) override { return inner_->InitTransactions(t); }
  Status BeginTransaction() override { return inner_->BeginTransaction(); }
  Status SendOffsetsToTransaction(const std::vector<kafka::PartitionOffset>& offsets, kafka::Consumer& consumer,
                                  std::chrono::milliseconds t) override {
    return inner_->SendOffsetsToTransaction(offsets, consumer, t);
  }
  Status CommitTransaction(std::chrono::milliseconds t) override {
    const int n = ++plan_.commits;
    if (plan_.abortable.count(n)) {
      ++plan_.injected;
      return Status::Abortable("injected abortable error at commit " + std::to_string(n));
    }
    if (plan_.fenced.count(n)) {
      ++plan_.injected;
      return Status::Fenced("injected fencing at commit " + std::to_string(n));
    }
    return inner_->CommitTransaction(t);
  }
  Status AbortTransaction(std::chrono::milliseconds t) override { return inner_->AbortTransaction(t); }

 private:
  std::unique_ptr<kafka::Producer> inner_;
  FaultPlan& plan_;
};

class FaultyFactory final : public kafka::ClientFactory {
 public:
  explicit FaultyFactory(FaultPlan& plan) : plan_(plan) {}
  Result<std::unique_ptr<kafka::Producer>> NewProducer(const kafka::Config& config) override {
    ASSIGN_OR_RETURN(std::unique_ptr<kafka::Producer> inner, kafka::MakeProducer(config));
    return std::unique_ptr<kafka::Producer>(new FaultyProducer(std::move(inner), plan_));
  }

 private:
  FaultPlan& plan_;
};

struct Input {
  std::string key;
  int64_t value;
};

class ExactlyOnceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("streamapp-eos-it");
    app_ = testing::FreshName("eos");
    in_ = testing::CreateFreshTopic("in", kPartitions);
    echo_ = testing::CreateFreshTopic("echo", kPartitions);
    sums_ = testing::CreateFreshTopic("sums", kPartitions);
    producer_ = std::move(kafka::MakeProducer(testing::BaseConfig())).value();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // echo: input -> echo unchanged; sums: per-key running sum through a
  // repartition topic, every update emitted.
  std::string TopologyYaml() const {
    return "version: 1\napplication:\n  id: " + app_ +
           "\n  processing_guarantee: exactly_once_v2\n"
           "streams:\n"
           "  data: {topic: " +
           in_ + ", key: string, value: json}\n  echo: {topic: " + echo_ +
           ", key: string, value: json}\n  sums: {topic: " + sums_ +
           ", key: string, value: json}\n"
           "pipelines:\n"
           "  echo-all:\n    from: data\n    steps:\n      - to: echo\n"
           "  sum-per-key:\n    from: data\n    steps:\n      - groupBy: \"$key\"\n"
           "      - aggregate: {op: sum, field: \"$value\", store: sum-store, cache: false}\n      - to: sums\n";
  }

  void Send(const std::string& topic, const Input& in, int64_t timestamp = -1) {
    const std::string value = std::to_string(in.value);
    kafka::OutboundMessage m;
    m.topic = topic;
    m.key = std::string_view(in.key);
    m.value = std::string_view(value);
    if (timestamp >= 0) m.timestamp = Timestamp(timestamp);
    ASSERT_TRUE(producer_->Send(m).ok());
    sent_.push_back(in);
  }
  void SendBatch(int from, int to) {
    for (int i = from; i < to; ++i) Send(in_, {"k" + std::to_string((i * 31) % 97), i % 13 - 6});
    ASSERT_TRUE(producer_->Flush(30s).ok());
  }

  static bool WaitForCommitted(const std::string& topic, int64_t count, std::chrono::seconds timeout = 120s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (static_cast<int64_t>(testing::ReadAll({topic}, static_cast<size_t>(count), "read_committed", 2s).size()) >=
          count) {
        return true;
      }
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  // Echo equals the input per partition; the sums per key are exactly the
  // running sums (one output per input record, none lost or repeated).
  void VerifyOutputs() {
    std::map<std::string, std::vector<std::string>> input_by_key;
    for (const Input& in : sent_) input_by_key[in.key].push_back(std::to_string(in.value));
    auto echo = testing::ReadAll({echo_}, sent_.size() + 1, "read_committed", 3s);
    ASSERT_EQ(echo.size(), sent_.size());
    std::map<std::string, std::vector<std::string>> echo_by_key;
    for (const auto& m : echo) echo_by_key[m.key.value_or("")].push_back(m.value.value_or(""));
    EXPECT_EQ(echo_by_key, input_by_key);  // per key = per partition order, since keys map to partitions

    std::map<std::string, std::vector<std::string>> expected_sums;
    std::map<std::string, int64_t> running;
    for (const Input& in : sent_) expected_sums[in.key].push_back(std::to_string(running[in.key] += in.value));
    auto sums = testing::ReadAll({sums_}, sent_.size() + 1, "read_committed", 3s);
    std::map<std::string, std::vector<std::string>> sums_by_key;
    for (const auto& m : sums) sums_by_key[m.key.value_or("")].push_back(m.value.value_or(""));
    EXPECT_EQ(sums.size(), sent_.size());
    EXPECT_EQ(sums_by_key, expected_sums);
  }

  StreamsConfig Config() const {
    StreamsConfig c;
    c.application_id = app_;
    c.bootstrap_servers = testing::Bootstrap();
    c.guarantee = ProcessingGuarantee::kExactlyOnceV2;
    c.state_dir = dir_ + "/state";
    c.kafka["session.timeout.ms"] = "6000";
    return c;
  }

  std::unique_ptr<ChildProcess> StartWorker(const std::string& topology, const std::string& name) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{STREAM_APP_BINARY, "run", "--topology", topology, "--bootstrap-servers",
                                 testing::Bootstrap(), "--state-dir", dir_ + "/state", "--set",
                                 "metrics.log.interval.ms=300", "--set", "kafka.session.timeout.ms=6000"},
        dir_ + "/" + name + ".log");
  }

  std::string dir_, app_, in_, echo_, sums_;
  std::unique_ptr<kafka::Producer> producer_;
  std::vector<Input> sent_;
};

TEST_F(ExactlyOnceTest, InjectedAbortsAndFencingNeitherLoseNorDuplicate) {
  auto loaded = LoadTopologyText(TopologyYaml(), "eos.yaml", dir_);
  ASSERT_TRUE(loaded.loaded.has_value()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  FaultPlan plan;
  plan.abortable = {3, 9};
  plan.fenced = {6};
  KafkaStreams app(loaded.loaded->topology, Config());
  app.SetClientFactory(std::make_shared<FaultyFactory>(plan));
  ASSERT_TRUE(app.Start().ok());
  // In batches over time, so that there are commits to fail, until every
  // planned failure happened.
  for (int batch = 0; batch < 12 || (plan.injected < 3 && batch < 200); ++batch) {
    SendBatch(batch * 500, (batch + 1) * 500);
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_TRUE(WaitForCommitted(echo_, static_cast<int64_t>(sent_.size())));
  EXPECT_TRUE(WaitForCommitted(sums_, static_cast<int64_t>(sent_.size())));
  app.RequestStop();
  ASSERT_TRUE(app.Wait().ok()) << "the worker must survive the injected errors";
  EXPECT_EQ(plan.injected, 3);
  VerifyOutputs();
}

TEST_F(ExactlyOnceTest, AWorkerFencedByAnotherProducerRejoinsAndStaysExact) {
  const std::string topology = dir_ + "/eos.yaml";
  testing::WriteFile(topology, TopologyYaml());
  auto worker = StartWorker(topology, "worker");
  ASSERT_TRUE(worker->WaitForLog("tasks: ", 60s)) << worker->Log();
  SendBatch(0, 3000);
  ASSERT_TRUE(WaitForCommitted(echo_, 3000)) << worker->Log();

  std::smatch match;
  const std::string log = worker->Log();
  ASSERT_TRUE(std::regex_search(log, match, std::regex(R"(transactional\.id (\S+))"))) << log;
  kafka::Config zombie_config = testing::BaseConfig();
  zombie_config["transactional.id"] = match[1].str();
  auto zombie = std::move(kafka::MakeProducer(zombie_config)).value();
  ASSERT_TRUE(zombie->InitTransactions(30s).ok());  // bumps the epoch: the worker's producer is fenced

  SendBatch(3000, 6000);
  ASSERT_TRUE(worker->WaitForLog("rejoining the group", 60s)) << worker->Log();
  EXPECT_TRUE(WaitForCommitted(echo_, 6000)) << worker->Log();
  EXPECT_TRUE(WaitForCommitted(sums_, 6000)) << worker->Log();
  EXPECT_TRUE(worker->Running());
  worker->Signal(SIGTERM);
  EXPECT_EQ(worker->Wait(60s), 0) << worker->Log();
  VerifyOutputs();
}

TEST_F(ExactlyOnceTest, StreamTimeIsCommittedWithTheOffsetsAndSurvivesARestart) {
  const std::string windows = testing::CreateFreshTopic("windows", kPartitions);
  const std::string yaml = "version: 1\napplication:\n  id: " + app_ +
                           "\n  processing_guarantee: exactly_once_v2\nstreams:\n  data: {topic: " + in_ +
                           ", key: string, value: json}\n  windows: {topic: " + windows +
                           ", key: string, value: json}\npipelines:\n  per-minute:\n    from: data\n    steps:\n"
                           "      - groupByKey: true\n"
                           "      - count: {window: {tumbling: 1m}, store: minute-counts, cache: false}\n"
                           "      - to: windows\n";
  auto loaded = LoadTopologyText(yaml, "windows.yaml", dir_);
  ASSERT_TRUE(loaded.loaded.has_value()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  {
    KafkaStreams app(loaded.loaded->topology, Config());
    ASSERT_TRUE(app.Start().ok());
    Send(in_, {"a", 1}, 600000);  // stream time 10 min
    ASSERT_TRUE(producer_->Flush(30s).ok());
    ASSERT_TRUE(WaitForCommitted(windows, 1));
    app.RequestStop();
    ASSERT_TRUE(app.Wait().ok());
  }
  // The committed offset of key a's partition carries the stream time.
  kafka::Config reader = testing::BaseConfig();
  reader["group.id"] = app_;
  auto consumer = std::move(kafka::MakeConsumer(reader, nullptr)).value();
  std::vector<kafka::TopicPartition> partitions;
  for (int p = 0; p < kPartitions; ++p) partitions.push_back({in_, PartitionId(p)});
  auto committed = consumer->Committed(partitions, 30s);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  std::vector<int64_t> stream_times;
  for (const auto& po : *committed) {
    if (auto t = runtime::DecodeCommitMetadata(po.metadata)) stream_times.push_back(t->value());
  }
  EXPECT_EQ(stream_times, std::vector<int64_t>{600000});
  (void)consumer->Close();

  // After a restart, a record of a window that closed before it (grace 0) is
  // late: with the stream time lost it would open that window again.
  KafkaStreams app(loaded.loaded->topology, Config());
  ASSERT_TRUE(app.Start().ok());
  Send(in_, {"a", 1}, 1000);
  Send(in_, {"a", 1}, 601000);
  ASSERT_TRUE(producer_->Flush(30s).ok());
  ASSERT_TRUE(WaitForCommitted(windows, 2));
  app.RequestStop();
  ASSERT_TRUE(app.Wait().ok());
  auto out = testing::ReadAll({windows}, 3, "read_committed", 3s);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& m : out) {
    EXPECT_NE(m.value.value_or("").find("\"window_start\":600000"), std::string::npos) << *m.value;
  }
  EXPECT_NE(out[1].value.value_or("").find("\"value\":2"), std::string::npos) << *out[1].value;
}

TEST_F(ExactlyOnceTest, ACrashLeavesNoCheckpointAndTheStateIsRestoredExactly) {
  const std::string topology = dir_ + "/eos.yaml";
  testing::WriteFile(topology, TopologyYaml());
  auto worker = StartWorker(topology, "first");
  ASSERT_TRUE(worker->WaitForLog("tasks: ", 60s)) << worker->Log();
  SendBatch(0, 2000);
  {
    // Malformed: goes to the dead-letter topic, in the same transaction as
    // the rest, so at most once however often it is processed.
    kafka::OutboundMessage bad;
    bad.topic = in_;
    bad.key = std::string_view("bad");
    bad.value = std::string_view("{not json");
    ASSERT_TRUE(producer_->Send(bad).ok());
  }
  SendBatch(2000, 4000);
  ASSERT_TRUE(WaitForCommitted(sums_, 4000)) << worker->Log();
  // While running under exactly-once, no task directory vouches for its state.
  const std::string app_dir = dir_ + "/state/" + app_;
  int task_dirs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(app_dir)) {
    if (!entry.is_directory()) continue;
    ++task_dirs;
    EXPECT_FALSE(std::filesystem::exists(entry.path() / ".checkpoint")) << entry.path();
  }
  EXPECT_EQ(task_dirs, kPartitions);  // the sum subtopology's tasks
  worker->Signal(SIGKILL);
  worker->Wait(30s);

  auto second = StartWorker(topology, "second");
  ASSERT_TRUE(second->WaitForLog("tasks: ", 90s)) << second->Log();
  SendBatch(4000, 8000);
  EXPECT_TRUE(WaitForCommitted(sums_, 8000)) << second->Log();
  // No checkpoint: every store was restored from its changelog's beginning.
  EXPECT_TRUE(second->WaitForLog("restored store sum-store", 5s, kPartitions)) << second->Log();
  second->Signal(SIGTERM);
  ASSERT_EQ(second->Wait(60s), 0) << second->Log();
  auto dead = testing::ReadAll({app_ + "-dlq"}, 2, "read_committed", 3s);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value.value_or(""), "{not json");
  // A clean close writes the checkpoints.
  for (const auto& entry : std::filesystem::directory_iterator(app_dir)) {
    if (entry.is_directory()) {
      EXPECT_TRUE(std::filesystem::exists(entry.path() / ".checkpoint")) << entry.path();
    }
  }
  VerifyOutputs();
}

}  // namespace
}  // namespace streamapp
