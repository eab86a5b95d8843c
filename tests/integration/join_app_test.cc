// Joins on the real broker, run by an in-process KafkaStreams built with the
// C++ DSL: stream-table (inner, left), windowed stream-stream (inner, outer)
// and table-table (inner, outer) on crafted inputs.
#include <gtest/gtest.h>

#include <filesystem>

#include "streamapp/dsl.h"
#include "streamapp/kafka_streams.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using Pairs = std::vector<std::pair<std::string, std::string>>;  // key, value ("<null>" for a tombstone)

std::shared_ptr<const Serde> Str() {
  return *MakeSerde("string", {});
}

std::string Text(const Value& v) {
  return v.is_null() ? "-" : v.as_string();
}

ValueJoiner Joiner() {
  return [](const Record& left, const Value& right) -> Result<Value> {
    return Value(Text(left.value) + "|" + Text(right));
  };
}

class JoinAppTest : public ::testing::Test {
 protected:
  void Send(const std::string& topic, const std::string& key, std::optional<std::string> value, int64_t ts) {
    if (!producer_) producer_ = std::move(kafka::MakeProducer(testing::BaseConfig())).value();
    kafka::OutboundMessage m;
    m.topic = topic;
    m.key = std::string_view(key);
    if (value) m.value = std::string_view(*value);
    m.timestamp = Timestamp(ts);
    ASSERT_TRUE(producer_->Send(m).ok());
    ASSERT_TRUE(producer_->Flush(30s).ok());
  }

  // Reads `topic` until it holds `count` records (and 3 s more to catch extras).
  static Pairs Read(const std::string& topic, size_t count) {
    Pairs out;
    for (const auto& m : testing::ReadAll({topic}, count + 1, "read_uncommitted", 3s)) {
      out.emplace_back(m.key.value_or("<null>"), m.value.value_or("<null>"));
    }
    return out;
  }

  static bool WaitFor(const std::string& topic, int partitions, int64_t count) {
    auto admin = testing::MakeTestAdmin();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      int64_t n = 0;
      for (int p = 0; p < partitions; ++p) {
        auto w = admin->QueryWatermarks({topic, PartitionId(p)}, 10s);
        if (w.ok()) n += w->high.value();
      }
      if (n >= count) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  StreamsConfig Config() {
    StreamsConfig c;
    c.application_id = testing::FreshName("app");
    c.bootstrap_servers = testing::Bootstrap();
    c.commit_interval = 100ms;
    c.cache_max_bytes = 0;  // every table update is visible
    c.state_dir = state_dir_;
    return c;
  }

  void SetUp() override { state_dir_ = testing::MakeTempDir("streamapp-join-it"); }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }

  std::string state_dir_;

  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(JoinAppTest, StreamTableInnerAndLeft) {
  const std::string orders = testing::CreateFreshTopic("orders", 2), customers = testing::CreateFreshTopic("cust", 2);
  const std::string inner = testing::CreateFreshTopic("inner", 2), left = testing::CreateFreshTopic("left", 2);
  StreamsBuilder b;
  KStream table = b.Table("customers", {customers}, {Str(), Str(), {}});
  KStream stream = b.Stream("orders", {orders}, {Str(), Str(), {}});
  stream.JoinTable("inner-join", table, JoinType::kInner, Joiner()).To("to-inner", inner, {Str(), Str()});
  stream.JoinTable("left-join", table, JoinType::kLeft, Joiner()).To("to-left", left, {Str(), Str()});
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  StreamsConfig config = Config();

  Send(customers, "k1", "alice", 1000);
  Send(customers, "k2", "bob", 1000);
  KafkaStreams app(*topology, config);
  ASSERT_TRUE(app.Start().ok());
  ASSERT_TRUE(WaitFor(config.application_id + "-customers-changelog", 2, 2));  // the table is loaded
  Send(orders, "k1", "o1", 2000);
  Send(orders, "k2", "o2", 2000);
  Send(orders, "k9", "o9", 2000);  // no customer
  ASSERT_TRUE(WaitFor(left, 2, 3));
  Send(customers, "k1", "alice2", 3000);  // a table update joins later records only
  ASSERT_TRUE(WaitFor(config.application_id + "-customers-changelog", 2, 3));
  Send(orders, "k1", "o3", 4000);
  ASSERT_TRUE(WaitFor(left, 2, 4));
  app.RequestStop();
  ASSERT_TRUE(app.Wait().ok());

  auto sorted = [](Pairs p) {
    std::sort(p.begin(), p.end());
    return p;
  };
  EXPECT_EQ(sorted(Read(inner, 3)), (Pairs{{"k1", "o1|alice"}, {"k1", "o3|alice2"}, {"k2", "o2|bob"}}));
  EXPECT_EQ(sorted(Read(left, 4)), (Pairs{{"k1", "o1|alice"}, {"k1", "o3|alice2"}, {"k2", "o2|bob"}, {"k9", "o9|-"}}));
}

TEST_F(JoinAppTest, StreamStreamInnerAndOuter) {
  const std::string l = testing::CreateFreshTopic("l", 1), r = testing::CreateFreshTopic("r", 1);
  const std::string inner = testing::CreateFreshTopic("inner", 1), outer = testing::CreateFreshTopic("outer", 1);
  StreamsBuilder b;
  KStream left = b.Stream("left", {l}, {Str(), Str(), {}});
  KStream right = b.Stream("right", {r}, {Str(), Str(), {}});
  // A generous grace makes the result independent of how the two topics'
  // records interleave on arrival.
  const JoinWindows windows{5s, 5s, 60s};
  left.JoinStream("ij", right, windows, JoinType::kInner, Joiner()).To("to-inner", inner, {Str(), Str()});
  left.JoinStream("oj", right, windows, JoinType::kOuter, Joiner()).To("to-outer", outer, {Str(), Str()});
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();

  Send(l, "k", "a", 10000);
  Send(r, "k", "x", 12000);    // within 5 s of a: joins
  Send(l, "k", "b", 30000);    // no partner
  Send(r, "k", "y", 50000);    // no partner
  Send(l, "k", "c", 1000000);  // closes every window above
  KafkaStreams app(*topology, Config());
  ASSERT_TRUE(app.Start().ok());
  ASSERT_TRUE(WaitFor(outer, 1, 3));
  app.RequestStop();
  ASSERT_TRUE(app.Wait().ok());
  EXPECT_EQ(Read(inner, 1), (Pairs{{"k", "a|x"}}));
  EXPECT_EQ(Read(outer, 3), (Pairs{{"k", "a|x"}, {"k", "b|-"}, {"k", "-|y"}}));
}

TEST_F(JoinAppTest, TableTableInnerAndOuter) {
  const std::string ta = testing::CreateFreshTopic("ta", 1), tb = testing::CreateFreshTopic("tb", 1);
  const std::string inner = testing::CreateFreshTopic("inner", 1), outer = testing::CreateFreshTopic("outer", 1);
  StreamsBuilder b;
  KStream a = b.Table("a", {ta}, {Str(), Str(), {}});
  KStream bt = b.Table("b", {tb}, {Str(), Str(), {}});
  a.JoinTables("ij", bt, JoinType::kInner, Joiner()).To("to-inner", inner, {Str(), Str()});
  a.JoinTables("oj", bt, JoinType::kOuter, Joiner()).To("to-outer", outer, {Str(), Str()});
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  KafkaStreams app(*topology, Config());
  ASSERT_TRUE(app.Start().ok());
  // One update at a time, each processed before the next is sent.
  Send(ta, "k1", "1", 1000);
  ASSERT_TRUE(WaitFor(outer, 1, 1));
  Send(tb, "k1", "x", 2000);
  ASSERT_TRUE(WaitFor(outer, 1, 2));
  Send(ta, "k1", std::nullopt, 3000);  // delete on the left
  ASSERT_TRUE(WaitFor(outer, 1, 3));
  ASSERT_TRUE(WaitFor(inner, 1, 2));
  app.RequestStop();
  ASSERT_TRUE(app.Wait().ok());
  EXPECT_EQ(Read(inner, 2), (Pairs{{"k1", "1|x"}, {"k1", "<null>"}}));
  EXPECT_EQ(Read(outer, 3), (Pairs{{"k1", "1|-"}, {"k1", "1|x"}, {"k1", "-|x"}}));
}

// Two instances of one application split the orders' partitions, and each
// joins its orders with the whole global table: the orders are keyed by
// order id, the customers by customer id, with different partition counts.
TEST_F(JoinAppTest, GlobalTableJoinNeedsNoCopartitioningAndServesEveryWorker) {
  const std::string orders = testing::CreateFreshTopic("orders", 4), customers = testing::CreateFreshTopic("cust", 3);
  const std::string out = testing::CreateFreshTopic("out", 4);
  auto json = *MakeSerde("json", {});
  StreamsBuilder b;
  b.GlobalTable("customers", customers, {Str(), Str(), {}});
  b.Stream("orders", {orders}, {Str(), json, {}})
      .JoinGlobalTable(
          "enrich", "customers",
          [](const Record& r) -> Result<Value> {
            const Value* c = r.value.Find("customer");
            return c ? *c : Value();
          },
          JoinType::kLeft,
          [](const Record& left, const Value& right) -> Result<Value> {
            return Value(left.value.Find("id")->as_string() + "|" + Text(right));
          })
      .To("to-out", out, {Str(), Str()});
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();

  constexpr int kCustomers = 30, kOrders = 200;
  for (int c = 0; c < kCustomers; ++c) Send(customers, "c" + std::to_string(c), "name" + std::to_string(c), 1000);
  StreamsConfig config = Config();
  StreamsConfig config2 = config;
  config2.state_dir = state_dir_ + "/second";
  KafkaStreams first(*topology, config);
  KafkaStreams second(*topology, config2);
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());  // both loaded the whole global table before starting
  for (int o = 0; o < kOrders; ++o) {
    const std::string customer = o % 10 == 9 ? "nobody" : "c" + std::to_string(o % kCustomers);
    Send(orders, "o" + std::to_string(o), "{\"id\":\"o" + std::to_string(o) + "\",\"customer\":\"" + customer + "\"}",
         2000 + o);
  }
  ASSERT_TRUE(WaitFor(out, 4, kOrders));
  first.RequestStop();
  second.RequestStop();
  ASSERT_TRUE(first.Wait().ok());
  ASSERT_TRUE(second.Wait().ok());

  Pairs expected;
  for (int o = 0; o < kOrders; ++o) {
    const std::string name = o % 10 == 9 ? "-" : "name" + std::to_string(o % kCustomers);
    expected.emplace_back("o" + std::to_string(o), "o" + std::to_string(o) + "|" + name);
  }
  Pairs actual = Read(out, kOrders);
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace streamapp
