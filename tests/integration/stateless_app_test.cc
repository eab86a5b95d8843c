// stream-app run on the real broker: a YAML topology of stateless steps,
// one or two worker processes, at-least-once.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>

#include "streamapp/serde.h"
#include "support/canonical_json.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

constexpr int kPartitions = 6;

using testing::CanonicalJson;

struct Input {
  std::string key;
  std::string value;
};

const char* kCountries[] = {"de", "fr", "us"};

Input GoodRecord(int i) {
  const int amount = (i % 200) - 50;
  const int qty = i % 4 + 1;
  return {"k" + std::to_string(i), "{\"id\":" + std::to_string(i) + ",\"amount\":" + std::to_string(amount) +
                                       ",\"customer\":{\"id\":\"c" + std::to_string(i % 101) + "\",\"country\":\"" +
                                       kCountries[i % 3] + "\"},\"qty\":" + std::to_string(qty) + "}"};
}

// What the topology must emit for a good record: (topic-kind, key, canonical value), or nothing.
std::optional<std::tuple<bool, std::string, std::string>> Expected(int i) {
  const int amount = (i % 200) - 50;
  const int qty = i % 4 + 1;
  const int total = amount * qty;
  if (total <= 0) return std::nullopt;
  std::string customer = "c" + std::to_string(i % 101);
  std::string value = "{\"id\":" + std::to_string(i) + ",\"amount\":" + std::to_string(amount) +
                      ",\"customer\":{\"country\":\"" + kCountries[i % 3] + "\"},\"qty\":" + std::to_string(qty) +
                      ",\"total\":" + std::to_string(total) + ",\"customer_id\":\"" + customer + "\"}";
  return std::make_tuple(total >= 300, customer, CanonicalJson(value));
}

class StatelessAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    in_ = testing::CreateFreshTopic("orders", kPartitions);
    big_ = testing::CreateFreshTopic("big", kPartitions);
    small_ = testing::CreateFreshTopic("small", kPartitions);
    dlq_ = testing::FreshName("dlq");
    app_ = testing::FreshName("app");
    dir_ = testing::MakeTempDir("streamapp-it");
    topology_ = dir_ + "/topology.yaml";
    testing::WriteFile(topology_, R"Y(version: 1
application:
  id: )Y" + app_ + R"Y(
  commit_interval_ms: 500
  dlq_topic: )Y" + dlq_ + R"Y(
streams:
  orders:
    topic: )Y" + in_ + R"Y(
    key: string
    value: json
  big:
    topic: )Y" + big_ + R"Y(
  small:
    topic: )Y" + small_ + R"Y(
pipelines:
  route:
    from: orders
    steps:
      - map:
          set: {total: "required(amount) * required(qty)"}
          rename: {"customer.id": customer_id}
      - filter: "total > 0"
        name: positive
      - selectKey: "customer_id"
      - branch:
          - when: "total >= 300"
            to: big
          - otherwise: true
            to: small
)Y");
  }

  std::unique_ptr<ChildProcess> StartWorker(const std::string& name, int threads = 1) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{STREAM_APP_BINARY, "run", "--topology", topology_, "--bootstrap-servers",
                                 testing::Bootstrap(), "--threads", std::to_string(threads), "--state-dir",
                                 dir_ + "/state-" + name, "--set", "kafka.session.timeout.ms=6000"},
        dir_ + "/" + name + ".log");
  }

  void Produce(int from, int to, const std::function<Input(int)>& make) {
    auto producer = kafka::MakeProducer(testing::BaseConfig());
    ASSERT_TRUE(producer.ok());
    for (int i = from; i < to; ++i) {
      Input in = make(i);
      kafka::OutboundMessage m;
      m.topic = in_;
      m.key = in.key;
      m.value = in.value;
      ASSERT_TRUE((*producer)->Send(m).ok());
    }
    ASSERT_TRUE((*producer)->Flush(60s).ok());
  }

  // Records in the topics (log end offsets; no transactions here).
  int64_t CountIn(const std::vector<std::string>& topics, int partitions) {
    auto admin = testing::MakeTestAdmin();
    int64_t n = 0;
    for (const auto& t : topics) {
      for (int p = 0; p < partitions; ++p) {
        auto w = admin->QueryWatermarks({t, PartitionId(p)}, 10s);
        if (w.ok()) n += w->high.value() - w->low.value();
      }
    }
    return n;
  }

  bool WaitForCount(const std::vector<std::string>& topics, int partitions, int64_t expected, ChildProcess& worker) {
    const auto deadline = std::chrono::steady_clock::now() + 180s;
    while (std::chrono::steady_clock::now() < deadline && worker.Running()) {
      if (CountIn(topics, partitions) >= expected) return true;
      std::this_thread::sleep_for(200ms);
    }
    return CountIn(topics, partitions) >= expected;
  }

  void StopCleanly(ChildProcess& worker) {
    worker.Signal(SIGTERM);
    auto code = worker.Wait(60s);
    ASSERT_TRUE(code.has_value()) << "worker did not stop";
    EXPECT_EQ(*code, 0) << worker.Log();
  }

  // Checks the output topics hold exactly the expected records for inputs [0, n).
  void ExpectExactOutput(int n, const std::function<bool(int)>& is_good) {
    std::multiset<std::tuple<bool, std::string, std::string>> expected;
    for (int i = 0; i < n; ++i) {
      if (!is_good(i)) continue;
      if (auto e = Expected(i)) expected.insert(*e);
    }
    auto records = testing::ReadAll({big_, small_}, expected.size() + 1, "read_uncommitted", 5s);
    std::multiset<std::tuple<bool, std::string, std::string>> actual;
    for (const auto& m : records) {
      actual.insert({m.topic == big_, m.key.value_or("<null>"), CanonicalJson(m.value.value_or(""))});
    }
    EXPECT_EQ(actual.size(), expected.size());
    EXPECT_TRUE(actual == expected) << "output differs from the expected records";
  }

  std::string in_, big_, small_, dlq_, app_, dir_, topology_;
};

int64_t ExpectedCount(int n, const std::function<bool(int)>& is_good) {
  int64_t c = 0;
  for (int i = 0; i < n; ++i) c += is_good(i) && Expected(i).has_value();
  return c;
}

TEST_F(StatelessAppTest, HundredThousandRecordsGiveExactlyTheExpectedOutput) {
  constexpr int kRecords = 100000;
  Produce(0, kRecords, GoodRecord);
  auto worker = StartWorker("w1", 2);
  const auto all = [](int) { return true; };
  ASSERT_TRUE(WaitForCount({big_, small_}, kPartitions, ExpectedCount(kRecords, all), *worker)) << worker->Log();
  StopCleanly(*worker);
  ExpectExactOutput(kRecords, all);
  EXPECT_EQ(CountIn({big_, small_}, kPartitions), ExpectedCount(kRecords, all));
  const std::string log = worker->Log();
  EXPECT_NE(log.find("consuming " + in_), std::string::npos) << log;
  EXPECT_NE(log.find("tasks: "), std::string::npos) << log;
}

// The "processed N" total of a worker's last throughput line.
int64_t ProcessedTotal(const std::string& log) {
  const std::string marker = ", processed ";
  size_t at = log.rfind(marker);
  return at == std::string::npos ? -1 : std::stoll(log.substr(at + marker.size()));
}

TEST_F(StatelessAppTest, TwoWorkersSplitThePartitionsAndOneTakesOverWhenTheOtherStops) {
  constexpr int kHalf = 30000;
  auto a = StartWorker("a");
  ASSERT_TRUE(a->WaitForLog("assigned", 60s)) << a->Log();
  auto b = StartWorker("b");
  ASSERT_TRUE(b->WaitForLog("assigned 3 partition(s)", 60s)) << b->Log();
  ASSERT_TRUE(a->WaitForLog("assigned 3 partition(s)", 60s)) << a->Log();
  // Input written after the split: each worker has its half to process.
  Produce(0, kHalf, GoodRecord);
  const auto all = [](int) { return true; };
  ASSERT_TRUE(WaitForCount({big_, small_}, kPartitions, ExpectedCount(kHalf, all), *a));

  const std::string before = a->Log();
  size_t sixes = 0;
  for (size_t at = before.find("assigned 6 partition(s)"); at != std::string::npos;
       at = before.find("assigned 6 partition(s)", at + 1)) {
    ++sixes;
  }
  StopCleanly(*b);
  const int64_t processed_by_b = ProcessedTotal(b->Log());
  EXPECT_GT(processed_by_b, 0) << b->Log();
  EXPECT_LT(processed_by_b, kHalf) << "b should have had only its half";
  ASSERT_TRUE(a->WaitForLog("assigned 6 partition(s)", 60s, static_cast<int>(sixes) + 1)) << a->Log();

  Produce(kHalf, 2 * kHalf, GoodRecord);
  ASSERT_TRUE(WaitForCount({big_, small_}, kPartitions, ExpectedCount(2 * kHalf, all), *a)) << a->Log();
  StopCleanly(*a);
  // Clean stops commit what was processed: nothing is processed twice.
  EXPECT_EQ(ProcessedTotal(a->Log()) + processed_by_b, 2 * kHalf);
  ExpectExactOutput(2 * kHalf, all);
}

TEST_F(StatelessAppTest, MalformedRecordsGoToTheDeadLetterTopicWithTheReason) {
  constexpr int kRecords = 2000;
  // Every 50 records: one bad JSON, one wrong type, one missing field.
  const auto kind = [](int i) { return i % 50; };
  Produce(0, kRecords, [&](int i) -> Input {
    if (kind(i) == 7) return {"k" + std::to_string(i), "{\"id\":" + std::to_string(i) + ",\"amount\":"};
    if (kind(i) == 13)
      return {"k" + std::to_string(i), "{\"id\":" + std::to_string(i) + ",\"amount\":\"abc\",\"qty\":1}"};
    if (kind(i) == 21) return {"k" + std::to_string(i), "{\"id\":" + std::to_string(i) + ",\"amount\":5}"};
    return GoodRecord(i);
  });
  const auto good = [&](int i) { return kind(i) != 7 && kind(i) != 13 && kind(i) != 21; };
  const int64_t bad = kRecords / 50 * 3;
  auto worker = StartWorker("w");
  ASSERT_TRUE(WaitForCount({big_, small_}, kPartitions, ExpectedCount(kRecords, good), *worker)) << worker->Log();
  ASSERT_TRUE(WaitForCount({dlq_}, 1, bad, *worker)) << worker->Log();
  StopCleanly(*worker);
  ExpectExactOutput(kRecords, good);

  auto dead = testing::ReadAll({dlq_}, static_cast<size_t>(bad) + 1, "read_uncommitted", 5s);
  ASSERT_EQ(dead.size(), static_cast<size_t>(bad));
  std::map<int, int> reasons;  // kind -> count
  for (const auto& m : dead) {
    std::map<std::string, std::string> h;
    for (const auto& header : m.headers) h[header.key] = header.value;
    ASSERT_EQ(h["streamapp.source.topic"], in_);
    ASSERT_FALSE(h["streamapp.source.offset"].empty());
    ASSERT_FALSE(h["streamapp.error"].empty());
    const int i = std::stoi(m.key->substr(1));
    const std::string& error = h["streamapp.error"];
    if (kind(i) == 7) {
      EXPECT_NE(error.find("value (json)"), std::string::npos) << error;
      EXPECT_EQ(h["streamapp.error.step"], "stream.orders");
    } else if (kind(i) == 13) {
      EXPECT_NE(error.find("string"), std::string::npos) << error;
      EXPECT_EQ(h["streamapp.error.step"], "route.0-map");
    } else if (kind(i) == 21) {
      EXPECT_NE(error.find("qty"), std::string::npos) << error;
    } else {
      ADD_FAILURE() << "a good record in the DLQ: " << *m.value;
    }
    EXPECT_EQ(*m.value, i % 50 == 7 ? "{\"id\":" + std::to_string(i) + ",\"amount\":" : *m.value);
    ++reasons[kind(i)];
  }
  EXPECT_EQ(reasons[7], kRecords / 50);
  EXPECT_EQ(reasons[13], kRecords / 50);
  EXPECT_EQ(reasons[21], kRecords / 50);
}

}  // namespace
}  // namespace streamapp
