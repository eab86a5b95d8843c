// Exactly-once pieces without a broker: the transactional producer's call
// sequence (against a recording fake), commit metadata, configuration
// defaults, and the local-state checkpoint rules.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/stream_task.h"
#include "runtime/streams_producer.h"
#include "runtime/task_state.h"
#include "state/stores.h"
#include "streamapp/streams_config.h"

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;

class RecordingProducer final : public kafka::Producer {
 public:
  explicit RecordingProducer(std::vector<std::string>& calls) : calls_(calls) {}
  Status Send(const kafka::OutboundMessage& m) override {
    calls_.push_back("send " + std::string(m.topic));
    return Status::Ok();
  }
  Status Flush(std::chrono::milliseconds) override { return Record("flush"); }
  void Poll() override {}
  Status InitTransactions(std::chrono::milliseconds) override { return Record("init"); }
  Status BeginTransaction() override { return Record("begin"); }
  Status SendOffsetsToTransaction(const std::vector<kafka::PartitionOffset>& offsets, kafka::Consumer&,
                                  std::chrono::milliseconds) override {
    return Record("offsets " + offsets[0].tp.ToString() + "@" + std::to_string(offsets[0].offset.value()));
  }
  Status CommitTransaction(std::chrono::milliseconds) override {
    if (commit_failures_ > 0) {
      --commit_failures_;
      calls_.push_back("commit (retriable failure)");
      return Status::Retriable("coordinator loading");
    }
    return Record("commit");
  }
  Status AbortTransaction(std::chrono::milliseconds) override { return Record("abort"); }
  int commit_failures_ = 0;

 private:
  Status Record(std::string call) {
    calls_.push_back(std::move(call));
    return Status::Ok();
  }
  std::vector<std::string>& calls_;
};

class RecordingFactory final : public kafka::ClientFactory {
 public:
  Result<std::unique_ptr<kafka::Producer>> NewProducer(const kafka::Config& config) override {
    configs.push_back(config);
    auto producer = std::make_unique<RecordingProducer>(calls);
    producer->commit_failures_ = commit_failures;
    calls.push_back("new producer");
    return std::unique_ptr<kafka::Producer>(std::move(producer));
  }
  std::vector<std::string> calls;
  std::vector<kafka::Config> configs;
  int commit_failures = 0;
};

class RecordingConsumer final : public kafka::Consumer {
 public:
  Status Subscribe(const std::vector<std::string>&) override { return Status::Ok(); }
  Result<std::optional<kafka::Message>> Poll(std::chrono::milliseconds) override {
    return std::optional<kafka::Message>();
  }
  Status Commit(const std::vector<kafka::PartitionOffset>& offsets) override {
    committed.insert(committed.end(), offsets.begin(), offsets.end());
    return Status::Ok();
  }
  Result<std::vector<kafka::PartitionOffset>> Committed(const std::vector<kafka::TopicPartition>&,
                                                        std::chrono::milliseconds) override {
    return committed;
  }
  Status Seek(const kafka::PartitionOffset&, std::chrono::milliseconds) override { return Status::Ok(); }
  Status Pause(const std::vector<kafka::TopicPartition>&) override { return Status::Ok(); }
  Status Resume(const std::vector<kafka::TopicPartition>&) override { return Status::Ok(); }
  std::vector<kafka::TopicPartition> Assignment() override { return {}; }
  Status Assign(const std::vector<kafka::PartitionOffset>&) override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
  std::vector<kafka::PartitionOffset> committed;
};

std::vector<kafka::PartitionOffset> OffsetOf(const std::string& topic, int partition, int64_t offset,
                                             const std::string& metadata) {
  kafka::PartitionOffset po;
  po.tp.topic = topic;
  po.tp.partition = PartitionId(partition);
  po.offset = Offset(offset);
  po.metadata = metadata;
  return {po};
}

kafka::OutboundMessage To(std::string_view topic) {
  kafka::OutboundMessage m;
  m.topic = topic;
  return m;
}

TEST(StreamsProducer, ExactlyOnceWrapsOutputAndOffsetsInOneTransaction) {
  RecordingFactory factory;
  RecordingConsumer consumer;
  StreamsProducer producer({{"bootstrap.servers", "x"}}, "app-p1-1", nullptr, factory);
  ASSERT_TRUE(producer.Init().ok());
  EXPECT_EQ(factory.configs[0].at("transactional.id"), "app-p1-1");
  EXPECT_EQ(factory.configs[0].at("transaction.timeout.ms"), "10000");
  // Nothing sent, nothing consumed: no transaction at all.
  ASSERT_TRUE(producer.Commit({}, consumer).ok());
  ASSERT_TRUE(producer.Send(To("out")).ok());
  ASSERT_TRUE(producer.Send(To("app-store-changelog")).ok());
  ASSERT_TRUE(producer.Commit(OffsetOf("in", 2, 42, "meta"), consumer).ok());
  EXPECT_TRUE(consumer.committed.empty()) << "offsets go through the transaction, not the consumer";
  // Offsets only (records were filtered out): a transaction still commits them.
  ASSERT_TRUE(producer.Commit(OffsetOf("in", 2, 43, ""), consumer).ok());
  EXPECT_EQ(factory.calls,
            (std::vector<std::string>{"new producer", "init", "begin", "send out", "send app-store-changelog",
                                      "offsets in-2@42", "commit", "begin", "offsets in-2@43", "commit"}));
}

TEST(StreamsProducer, AbortOnlyWithAnOpenTransactionAndResetStartsOver) {
  RecordingFactory factory;
  TaskMetrics metrics;
  StreamsProducer producer({}, "app-p1-1", &metrics, factory);
  ASSERT_TRUE(producer.Init().ok());
  ASSERT_TRUE(producer.Abort().ok());  // no transaction: nothing to abort
  ASSERT_TRUE(producer.Send(To("out")).ok());
  EXPECT_TRUE(producer.in_transaction());
  ASSERT_TRUE(producer.Abort().ok());
  EXPECT_FALSE(producer.in_transaction());
  ASSERT_TRUE(producer.Send(To("out")).ok());
  ASSERT_TRUE(producer.Reset().ok());  // fenced: a new producer with the same id
  EXPECT_FALSE(producer.in_transaction());
  EXPECT_EQ(factory.calls, (std::vector<std::string>{"new producer", "init", "begin", "send out", "abort", "begin",
                                                     "send out", "new producer", "init"}));
  EXPECT_EQ(factory.configs[1].at("transactional.id"), "app-p1-1");
  EXPECT_EQ(metrics.transactions_aborted, 2u);
}

TEST(StreamsProducer, RetriesARetriableCommit) {
  RecordingFactory factory;
  factory.commit_failures = 2;
  RecordingConsumer consumer;
  TaskMetrics metrics;
  StreamsProducer producer({}, "app-p1-1", &metrics, factory);
  ASSERT_TRUE(producer.Init().ok());
  ASSERT_TRUE(producer.Send(To("out")).ok());
  ASSERT_TRUE(producer.Commit({}, consumer).ok());
  EXPECT_EQ(factory.calls,
            (std::vector<std::string>{"new producer", "init", "begin", "send out", "commit (retriable failure)",
                                      "commit (retriable failure)", "commit"}));
  EXPECT_EQ(metrics.transactions_committed, 1u);
}

TEST(StreamsProducer, AtLeastOnceFlushesThenTheConsumerCommits) {
  RecordingFactory factory;
  RecordingConsumer consumer;
  StreamsProducer producer({}, "", nullptr, factory);
  ASSERT_TRUE(producer.Init().ok());
  EXPECT_EQ(factory.configs[0].count("transactional.id"), 0u);
  ASSERT_TRUE(producer.Send(To("out")).ok());
  ASSERT_TRUE(producer.Commit(OffsetOf("in", 0, 7, "m"), consumer).ok());
  EXPECT_EQ(factory.calls, (std::vector<std::string>{"new producer", "send out", "flush"}));
  ASSERT_EQ(consumer.committed.size(), 1u);
  EXPECT_EQ(consumer.committed[0].offset, Offset(7));
  EXPECT_EQ(consumer.committed[0].metadata, "m");
}

TEST(CommitMetadata, CarriesTheStreamTime) {
  EXPECT_EQ(DecodeCommitMetadata(EncodeCommitMetadata(Timestamp(1700000000123))), Timestamp(1700000000123));
  EXPECT_EQ(DecodeCommitMetadata(EncodeCommitMetadata(Timestamp(0))), Timestamp(0));
  EXPECT_FALSE(DecodeCommitMetadata(""));
  EXPECT_FALSE(DecodeCommitMetadata("written by another tool"));
  EXPECT_FALSE(DecodeCommitMetadata(EncodeCommitMetadata(Timestamp(5)) + "x"));
}

TEST(StreamsConfigGuarantee, ExactlyOnceIsAcceptedAndCommitsEvery100MsByDefault) {
  StreamsConfig c;
  c.application_id = "a";
  c.bootstrap_servers = "b";
  EXPECT_EQ(c.CommitInterval(), 30000ms);
  ASSERT_TRUE(c.Set("processing.guarantee", "exactly_once_v2").ok());
  EXPECT_TRUE(c.Validate().ok());
  EXPECT_EQ(c.CommitInterval(), 100ms);
  ASSERT_TRUE(c.Set("commit.interval.ms", "250").ok());
  EXPECT_EQ(c.CommitInterval(), 250ms);
  EXPECT_FALSE(c.Set("processing.guarantee", "exactly_twice").ok());
}

// Opens a task's state with one unlogged store over a directory that holds a
// checkpoint; returns whether the checkpoint is still there afterwards.
bool CheckpointSurvivesOpen(bool write_checkpoints) {
  char tmpl[] = "/tmp/streamapp-eos-state-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return false;
  const std::string task_dir = std::string(tmpl) + "/0_1";
  std::filesystem::create_directories(task_dir);
  EXPECT_TRUE(state::WriteCheckpoint(task_dir + "/.checkpoint", {{{"app-s-changelog", 1}, 10}}).ok());
  state::StateResources resources(8 << 20);
  StateEnv env;
  env.application_id = "app";
  env.app_state_dir = tmpl;
  env.resources = &resources;
  env.write_checkpoints = write_checkpoints;
  StoreSpec spec;
  spec.name = "s";
  spec.logged = false;
  TaskState task(TaskId{0, PartitionId(1)}, env, nullptr);
  EXPECT_TRUE(task.OpenAndRestore({spec}, [] { return int64_t{0}; }).ok());
  const bool survived = std::filesystem::exists(task_dir + "/.checkpoint");
  task.Close();
  std::filesystem::remove_all(tmpl);
  return survived;
}

TEST(TaskStateCheckpoint, ExactlyOnceRemovesTheCheckpointOnceRead) {
  EXPECT_FALSE(CheckpointSurvivesOpen(/*write_checkpoints=*/false));
  EXPECT_TRUE(CheckpointSurvivesOpen(/*write_checkpoints=*/true));
}

}  // namespace
}  // namespace streamapp::runtime
