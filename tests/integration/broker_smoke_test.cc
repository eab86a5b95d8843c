// Proves the test broker is a real Kafka: transactions with markers and
// read_committed filtering, and group offsets that survive a restart — the
// things librdkafka's mock cluster does not do.
#include <gtest/gtest.h>

#include "kafka/clients.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::BaseConfig;
using testing::FreshName;

std::vector<std::string> Values(const std::vector<kafka::Message>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.value.value_or("<null>"));
  return out;
}

void SendValue(kafka::Producer& producer, const std::string& topic, const std::string& value) {
  kafka::OutboundMessage m;
  m.topic = topic;
  m.partition = PartitionId(0);
  m.key = std::string_view("k");
  m.value = value;
  ASSERT_TRUE(producer.Send(m).ok());
}

TEST(BrokerSmoke, ReadCommittedSeesOnlyCommittedTransactions) {
  const std::string topic = testing::CreateFreshTopic("txn", 1);
  kafka::Config config = BaseConfig();
  config["transactional.id"] = FreshName("txn-id");
  auto producer = kafka::MakeProducer(config);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  kafka::Producer& p = **producer;
  ASSERT_TRUE(p.InitTransactions(30s).ok());

  std::vector<std::string> committed;
  ASSERT_TRUE(p.BeginTransaction().ok());
  for (int i = 0; i < 10; ++i) {
    committed.push_back("c" + std::to_string(i));
    SendValue(p, topic, committed.back());
  }
  ASSERT_TRUE(p.CommitTransaction(30s).ok());

  ASSERT_TRUE(p.BeginTransaction().ok());
  for (int i = 0; i < 5; ++i) SendValue(p, topic, "aborted" + std::to_string(i));
  ASSERT_TRUE(p.Flush(30s).ok());  // the aborted records really reach the log
  ASSERT_TRUE(p.AbortTransaction(30s).ok());

  ASSERT_TRUE(p.BeginTransaction().ok());
  for (int i = 10; i < 15; ++i) {
    committed.push_back("c" + std::to_string(i));
    SendValue(p, topic, committed.back());
  }
  ASSERT_TRUE(p.CommitTransaction(30s).ok());

  // read_uncommitted sees the aborted records too: they were written.
  auto uncommitted = testing::ReadAll({topic}, 20, "read_uncommitted");
  EXPECT_EQ(uncommitted.size(), 20u);

  auto seen = testing::ReadAll({topic}, committed.size(), "read_committed");
  EXPECT_EQ(Values(seen), committed);
  // The log also holds three transaction markers, which consumers never see.
  auto marks = testing::MakeTestAdmin()->QueryWatermarks({topic, PartitionId(0)}, 10s);
  ASSERT_TRUE(marks.ok());
  EXPECT_EQ(marks->high.value(), 23);
}

TEST(BrokerSmoke, CommittedGroupOffsetSurvivesConsumerRestart) {
  const std::string topic = testing::CreateFreshTopic("group", 1);
  auto producer = kafka::MakeProducer(BaseConfig());
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 20; ++i) SendValue(**producer, topic, "v" + std::to_string(i));
  ASSERT_TRUE((*producer)->Flush(30s).ok());

  kafka::Config config = BaseConfig();
  config["group.id"] = FreshName("group");
  {
    auto consumer = kafka::MakeConsumer(config, nullptr);
    ASSERT_TRUE(consumer.ok());
    ASSERT_TRUE((*consumer)->Subscribe({topic}).ok());
    int read = 0;
    for (int polls = 0; read < 12 && polls < 300; ++polls) {
      auto m = (*consumer)->Poll(100ms);
      ASSERT_TRUE(m.ok());
      if (m->has_value()) ++read;
    }
    ASSERT_EQ(read, 12);
    // Commit after the 10th record only: records 10 and 11 must come again.
    ASSERT_TRUE((*consumer)->Commit({{{topic, PartitionId(0)}, Offset(10), ""}}).ok());
    ASSERT_TRUE((*consumer)->Close().ok());
  }
  auto consumer = kafka::MakeConsumer(config, nullptr);
  ASSERT_TRUE(consumer.ok());
  auto committed = (*consumer)->Committed({{topic, PartitionId(0)}}, 10s);
  ASSERT_TRUE(committed.ok());
  ASSERT_EQ(committed->size(), 1u);
  EXPECT_EQ((*committed)[0].offset.value(), 10);

  ASSERT_TRUE((*consumer)->Subscribe({topic}).ok());
  std::optional<kafka::Message> first;
  for (int polls = 0; !first && polls < 300; ++polls) {
    auto m = (*consumer)->Poll(100ms);
    ASSERT_TRUE(m.ok());
    if (m->has_value()) first = std::move(**m);
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->offset.value(), 10);
  EXPECT_EQ(first->value, "v10");
  ASSERT_TRUE((*consumer)->Close().ok());
}

}  // namespace
}  // namespace streamapp
