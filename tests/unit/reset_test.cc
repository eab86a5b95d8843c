// stream-app reset without a broker: parsing of its options, the target
// offset computation, and planning/executing against fake admin clients.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "reset/reset_offsets.h"
#include "reset/reset_tool.h"
#include "streamapp/topology_file.h"
#include "support/child_process.h"

namespace streamapp::reset {
namespace {

using namespace std::chrono_literals;
using kafka::TopicPartition;
using kafka::Watermarks;

TEST(ResetDuration, ParsesEveryComponent) {
  EXPECT_EQ(*ParseIsoDuration("P1D"), 24h);
  EXPECT_EQ(*ParseIsoDuration("PT1H30M"), 90min);
  EXPECT_EQ(*ParseIsoDuration("PT10S"), 10s);
  EXPECT_EQ(*ParseIsoDuration("PT0.5S"), 500ms);
  EXPECT_EQ(*ParseIsoDuration("PT1.25S"), 1250ms);
  EXPECT_EQ(*ParseIsoDuration("P2DT3H4M5S"), 48h + 3h + 4min + 5s);
  EXPECT_EQ(*ParseIsoDuration("pt15m"), 15min);
  EXPECT_EQ(*ParseIsoDuration("P0D"), 0ms);
}

TEST(ResetDuration, RejectsMalformed) {
  for (const char* bad : {"", "P", "PT", "1D", "P1H", "PT1D", "PT1M1H", "PT1S1S", "P1.5D", "PT1.5M", "PTS", "P1DT",
                          "PT1", "P-1D", "PT1X", "P1DT2HT3M"}) {
    auto r = ParseIsoDuration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ResetDateTime, ParsesUtcAndOffsets) {
  EXPECT_EQ(*ParseIsoDateTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIsoDateTime("1970-01-01T00:00:00"), 0);  // no zone: UTC
  EXPECT_EQ(*ParseIsoDateTime("2024-05-01T12:00:00Z"), 1714564800000);
  EXPECT_EQ(*ParseIsoDateTime("2024-05-01T12:00Z"), 1714564800000);
  EXPECT_EQ(*ParseIsoDateTime("2024-05-01 12:00:00.250Z"), 1714564800250);
  EXPECT_EQ(*ParseIsoDateTime("2024-05-01T14:00:00+02:00"), 1714564800000);
  EXPECT_EQ(*ParseIsoDateTime("2024-05-01T07:30:00-0430"), 1714564800000);
  EXPECT_EQ(*ParseIsoDateTime("2024-02-29T00:00:00Z"), 1709164800000);  // leap day
  EXPECT_EQ(*ParseIsoDateTime("2000-03-01T00:00:00.1Z"), 951868800100);
}

TEST(ResetDateTime, RejectsMalformed) {
  for (const char* bad :
       {"", "2024-05-01", "2024-5-01T00:00", "2024-13-01T00:00", "2023-02-29T00:00", "2024-05-01T24:00",
        "2024-05-01T12:60", "2024-05-01T12:00:00X", "2024-05-01T12:00:00Zjunk", "2024-05-01T12:00:00+2", "yesterday"}) {
    EXPECT_FALSE(ParseIsoDateTime(bad).ok()) << bad;
  }
}

TEST(ResetTopicSelection, TopicAndPartitions) {
  auto all = ParseTopicSelection("orders");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->topic, "orders");
  EXPECT_TRUE(all->partitions.empty());
  auto some = ParseTopicSelection("orders:4,0,2-3,2");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->topic, "orders");
  EXPECT_EQ(some->partitions, (std::vector<int>{0, 2, 3, 4}));
  auto dotted = ParseTopicSelection("crypto.trades:1");
  ASSERT_TRUE(dotted.ok());
  EXPECT_EQ(dotted->topic, "crypto.trades");
  EXPECT_EQ(dotted->partitions, std::vector<int>{1});
  for (const char* bad : {"", ":1", "t:", "t:a", "t:1,", "t:,1", "t:3-1", "t:-1", "t:1-"}) {
    EXPECT_FALSE(ParseTopicSelection(bad).ok()) << bad;
  }
}

TEST(ResetTarget, EarliestLatestOffsetClamped) {
  const Watermarks w{Offset(10), Offset(100)};
  EXPECT_EQ(ComputeTarget({TargetKind::kEarliest, 0}, Offset(50), w, std::nullopt).value(), 10);
  EXPECT_EQ(ComputeTarget({TargetKind::kLatest, 0}, Offset(50), w, std::nullopt).value(), 100);
  EXPECT_EQ(ComputeTarget({TargetKind::kOffset, 42}, std::nullopt, w, std::nullopt).value(), 42);
  EXPECT_EQ(ComputeTarget({TargetKind::kOffset, 3}, std::nullopt, w, std::nullopt).value(), 10);
  EXPECT_EQ(ComputeTarget({TargetKind::kOffset, 1000}, std::nullopt, w, std::nullopt).value(), 100);
  const Watermarks empty{Offset(0), Offset(0)};
  EXPECT_EQ(ComputeTarget({TargetKind::kOffset, 5}, std::nullopt, empty, std::nullopt).value(), 0);
}

TEST(ResetTarget, ShiftByFromCommittedOrLow) {
  const Watermarks w{Offset(10), Offset(100)};
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, -5}, Offset(50), w, std::nullopt).value(), 45);
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, 20}, Offset(50), w, std::nullopt).value(), 70);
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, -100}, Offset(50), w, std::nullopt).value(), 10);
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, 500}, Offset(50), w, std::nullopt).value(), 100);
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, 5}, std::nullopt, w, std::nullopt).value(), 15);
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, INT64_MAX}, Offset(50), w, std::nullopt).value(), 100);
  EXPECT_EQ(ComputeTarget({TargetKind::kShiftBy, INT64_MIN}, Offset(50), w, std::nullopt).value(), 10);
}

TEST(ResetTarget, DescribesItself) {
  EXPECT_EQ((ResetTarget{TargetKind::kTime, 1714564800250}).ToString(), "time 2024-05-01T12:00:00.250Z");
  EXPECT_EQ((ResetTarget{TargetKind::kShiftBy, -3}).ToString(), "shift by -3");
  EXPECT_EQ(ResetTarget{}.ToString(), "earliest");
}

TEST(ResetTarget, TimeUsesLookupOrEnd) {
  const Watermarks w{Offset(10), Offset(100)};
  EXPECT_EQ(ComputeTarget({TargetKind::kTime, 1}, Offset(50), w, Offset(60)).value(), 60);
  EXPECT_EQ(ComputeTarget({TargetKind::kTime, 1}, Offset(50), w, Offset(-1)).value(), 100);
  EXPECT_EQ(ComputeTarget({TargetKind::kTime, 1}, Offset(50), w, std::nullopt).value(), 100);
  EXPECT_EQ(ComputeTarget({TargetKind::kTime, 1}, Offset(50), w, Offset(2)).value(), 10);
}

TEST(ResetTopics, InputsAreStreamsAndTablesInternalsAreChangelogsAndRepartitions) {
  LoadResult loaded = LoadTopologyText(R"(version: 1
application: {id: shop}
streams:
  orders: {topic: orders}
tables:
  customers: {topic: customers}
global_tables:
  products: {topic: products}
pipelines:
  per-customer:
    from: orders
    steps:
      - join: {with: customers, type: left, as: {left: order, right: customer}}
      - join: {with: products, key: order.sku, type: left, as: {left: order, right: product}}
      - groupBy: order.customer
      - count: {store: orders-per-customer}
      - to: counts
)",
                                       "inline.yaml", ".");
  ASSERT_TRUE(loaded.loaded) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  const AppTopics topics = TopicsOf(loaded.loaded->topology, "shop-v2");
  EXPECT_EQ(topics.inputs, (std::vector<std::string>{"customers", "orders"}));  // not products
  ASSERT_EQ(topics.internal.size(), 3u);
  EXPECT_TRUE(topics.internal[0].starts_with("shop-v2-")) << topics.internal[0];
  EXPECT_TRUE(topics.internal[0].ends_with("-repartition")) << topics.internal[0];
  // The table's store and the count's, named for the application id given.
  EXPECT_NE(std::find(topics.internal.begin(), topics.internal.end(), "shop-v2-orders-per-customer-changelog"),
            topics.internal.end());
  EXPECT_EQ(std::count_if(topics.internal.begin(), topics.internal.end(),
                          [](const std::string& t) { return t.ends_with("-changelog"); }),
            2);
}

class FakeAdmin final : public kafka::Admin {
 public:
  std::map<std::string, int> topics;
  std::map<TopicPartition, Watermarks> watermarks;
  std::vector<std::string> deleted;
  Status CreateTopics(const std::vector<kafka::NewTopic>&, std::chrono::milliseconds) override {
    return Status::Internal("unexpected");
  }
  Status DeleteTopics(const std::vector<std::string>& names, std::chrono::milliseconds) override {
    for (const auto& n : names) {
      topics.erase(n);
      deleted.push_back(n);
    }
    return Status::Ok();
  }
  Result<int> PartitionCount(const std::string& topic, std::chrono::milliseconds) override {
    auto it = topics.find(topic);
    if (it == topics.end()) return Status::NotFound(topic);
    return it->second;
  }
  Result<Watermarks> QueryWatermarks(const TopicPartition& tp, std::chrono::milliseconds) override {
    auto it = watermarks.find(tp);
    return it == watermarks.end() ? Watermarks{Offset(0), Offset(0)} : it->second;
  }
  Status DeleteRecords(const std::vector<kafka::PartitionOffset>&, std::chrono::milliseconds) override {
    return Status::Internal("unexpected");
  }
  Result<std::map<std::string, std::string>> DescribeTopicConfig(const std::string&,
                                                                 std::chrono::milliseconds) override {
    return Status::Internal("unexpected");
  }
};

class FakeGroups final : public kafka::GroupAdmin {
 public:
  std::vector<kafka::GroupMember> members;
  int members_leave_after = -1;  // describe calls until the members leave; -1 never
  std::map<TopicPartition, Offset> committed;
  std::map<TopicPartition, Offset> at_time;
  int alters = 0;
  Result<kafka::GroupDescription> DescribeGroup(const std::string&, std::chrono::milliseconds) override {
    if (members_leave_after == 0) members.clear();
    if (members_leave_after > 0) --members_leave_after;
    return kafka::GroupDescription{members.empty() ? "Empty" : "Stable", members};
  }
  Result<std::map<TopicPartition, Offset>> CommittedOffsets(const std::string&,
                                                            const std::vector<TopicPartition>& partitions,
                                                            std::chrono::milliseconds) override {
    std::map<TopicPartition, Offset> out;
    for (const auto& tp : partitions) {
      if (committed.count(tp)) out.emplace(tp, committed.at(tp));
    }
    return out;
  }
  Status AlterCommittedOffsets(const std::string&, const std::vector<kafka::PartitionOffset>& offsets,
                               std::chrono::milliseconds) override {
    if (!members.empty()) return Status::Retriable("group busy");
    ++alters;
    for (const auto& po : offsets) committed.insert_or_assign(po.tp, po.offset);
    return Status::Ok();
  }
  Result<std::map<TopicPartition, Offset>> OffsetsForTime(const std::vector<TopicPartition>& partitions, Timestamp,
                                                          std::chrono::milliseconds) override {
    std::map<TopicPartition, Offset> out;
    for (const auto& tp : partitions) out.emplace(tp, at_time.count(tp) ? at_time.at(tp) : Offset(-1));
    return out;
  }
};

class ResetToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_.topics = {{"in", 2}, {"other", 1}, {"app-counts-changelog", 2}};
    admin_.watermarks[{"in", PartitionId(0)}] = {Offset(5), Offset(50)};
    admin_.watermarks[{"in", PartitionId(1)}] = {Offset(0), Offset(30)};
    admin_.watermarks[{"other", PartitionId(0)}] = {Offset(0), Offset(7)};
    groups_.committed[{"in", PartitionId(0)}] = Offset(50);
    groups_.committed[{"in", PartitionId(1)}] = Offset(30);
    dir_ = testing::MakeTempDir("streamapp-reset-unit");
    std::filesystem::create_directories(dir_ + "/app/0_0");
    std::ofstream(dir_ + "/app/0_0/data") << "x";
    options_.application_id = "app";
    options_.input_topics = {"in", "other"};
    options_.internal_topics = {"app-counts-changelog", "app-by-key-repartition"};
    options_.app_state_dir = dir_ + "/app";
    options_.timeout = 5s;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ResetPlan> Plan() {
    return PlanReset(options_, admin_, groups_, [this](const std::string& l) { log_.push_back(l); });
  }
  Status Execute(const ResetPlan& plan) {
    return ExecuteReset(plan, options_, admin_, groups_, [this](const std::string& l) { log_.push_back(l); });
  }

  FakeAdmin admin_;
  FakeGroups groups_;
  ResetOptions options_;
  std::string dir_;
  std::vector<std::string> log_;
};

TEST_F(ResetToolTest, PlansEveryInputPartitionAndExistingInternalTopics) {
  auto plan = Plan();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->partitions.size(), 3u);
  EXPECT_EQ(plan->partitions[0].tp, (TopicPartition{"in", PartitionId(0)}));
  EXPECT_EQ(plan->partitions[0].current->value(), 50);
  EXPECT_EQ(plan->partitions[0].target.value(), 5);
  EXPECT_EQ(plan->partitions[1].target.value(), 0);
  EXPECT_FALSE(plan->partitions[2].current.has_value());
  EXPECT_EQ(plan->delete_topics, std::vector<std::string>{"app-counts-changelog"});  // the repartition one is absent
  EXPECT_EQ(plan->delete_dir, dir_ + "/app");
  const std::string text = DescribePlan(*plan);
  EXPECT_NE(text.find("in-0: 50 -> 5"), std::string::npos) << text;
  EXPECT_NE(text.find("other-0: none -> 0"), std::string::npos) << text;
  EXPECT_NE(text.find("app-counts-changelog"), std::string::npos) << text;
  EXPECT_FALSE(log_.empty());
  // Planning changed nothing.
  EXPECT_EQ(groups_.alters, 0);
  EXPECT_TRUE(admin_.deleted.empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/app/0_0/data"));
}

TEST_F(ResetToolTest, ExecuteSetsOffsetsDeletesTopicsAndState) {
  auto plan = Plan();
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(Execute(*plan).ok());
  EXPECT_EQ(groups_.committed.at({"in", PartitionId(0)}).value(), 5);
  EXPECT_EQ(groups_.committed.at({"in", PartitionId(1)}).value(), 0);
  EXPECT_EQ(groups_.committed.at({"other", PartitionId(0)}).value(), 0);
  EXPECT_EQ(admin_.deleted, std::vector<std::string>{"app-counts-changelog"});
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/app"));
}

TEST_F(ResetToolTest, SelectionRestrictsPartitionsAndChecksThem) {
  options_.selections = {{"in", {1}}};
  options_.target = {TargetKind::kShiftBy, -10};
  auto plan = Plan();
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->partitions.size(), 1u);
  EXPECT_EQ(plan->partitions[0].tp.partition.value(), 1);
  EXPECT_EQ(plan->partitions[0].target.value(), 20);

  options_.selections = {{"in", {2}}};
  EXPECT_EQ(Plan().status().code(), StatusCode::kInvalidArgument);
  options_.selections = {{"out", {}}};
  auto not_input = Plan();
  ASSERT_FALSE(not_input.ok());
  EXPECT_NE(not_input.status().message().find("not an input topic"), std::string::npos);
  options_.selections = {{"in", {0}}, {"in", {}}};  // a whole topic wins over a partition list
  EXPECT_EQ(Plan()->partitions.size(), 2u);
}

TEST_F(ResetToolTest, TimeTargetUsesTheLookup) {
  options_.target = {TargetKind::kTime, 1234};
  groups_.at_time[{"in", PartitionId(0)}] = Offset(20);
  auto plan = Plan();
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->partitions[0].target.value(), 20);
  EXPECT_EQ(plan->partitions[1].target.value(), 30);  // nothing that recent: the end
}

TEST_F(ResetToolTest, RefusesWhileTheGroupHasMembers) {
  groups_.members = {{"member-1", "streamapp-worker", "/127.0.0.1", {}}};
  auto plan = Plan();
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("member-1"), std::string::npos) << plan.status().message();
  EXPECT_NE(plan.status().message().find("--force"), std::string::npos);
}

TEST_F(ResetToolTest, ForceWaitsForMembersToLeave) {
  groups_.members = {{"member-1", "streamapp-worker", "/127.0.0.1", {}}};
  groups_.members_leave_after = 3;
  options_.force = true;
  auto plan = Plan();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_NE(DescribePlan(*plan).find("member-1"), std::string::npos);
  ASSERT_TRUE(Execute(*plan).ok());
  EXPECT_EQ(groups_.alters, 1);
  EXPECT_EQ(groups_.committed.at({"in", PartitionId(0)}).value(), 5);
}

TEST_F(ResetToolTest, ForceGivesUpWhenMembersStay) {
  groups_.members = {{"member-1", "streamapp-worker", "/127.0.0.1", {}}};
  options_.force = true;
  options_.timeout = 1s;
  auto plan = Plan();
  ASSERT_TRUE(plan.ok());
  Status st = Execute(*plan);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("member-1"), std::string::npos) << st.message();
  // Nothing destructive happened.
  EXPECT_TRUE(admin_.deleted.empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/app/0_0/data"));
}

}  // namespace
}  // namespace streamapp::reset
