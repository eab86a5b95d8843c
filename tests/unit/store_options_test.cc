// StreamsBuilder::ConfigureStore and declared partition counts: settings
// reach the store specs the runtime opens, and Build() checks what it can
// know before any broker is asked.
#include <gtest/gtest.h>

#include "dsl/graph.h"
#include "streamapp/dsl.h"

namespace streamapp {
namespace {

std::shared_ptr<const Serde> SerdeOf(const std::string& spec) {
  return *MakeSerde(spec, {});
}

Consumed StringJson(int partitions = 0) {
  Consumed c{SerdeOf("string"), SerdeOf("json"), {}};
  c.partitions = partitions;
  return c;
}

StoreOptions Options(std::optional<bool> in_memory, std::optional<bool> cached, std::optional<bool> logged) {
  StoreOptions o;
  o.in_memory = in_memory;
  o.cached = cached;
  o.logged = logged;
  return o;
}

const StoreSpec* FindStore(const Topology& t, const std::string& name, std::vector<StoreSpec>& keep) {
  for (const dsl::GraphNode& n : t.data().nodes) {
    if (n.kind != dsl::NodeKind::kProcessor) continue;
    for (StoreSpec& s : n.op->stores()) keep.push_back(std::move(s));
  }
  for (const StoreSpec& s : keep) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST(StoreOptions, OverrideOnlyTheFieldsTheySet) {
  StreamsBuilder b;
  KStream orders = b.Stream("orders", {"orders"}, StringJson());
  orders.GroupByKey().Count("counts").To("out", "counts", {SerdeOf("string"), SerdeOf("json")});
  Materialized m;
  m.store = "kept";
  m.in_memory = true;
  orders.GroupByKey().Count("kept-counts", m).To("out2", "kept", {SerdeOf("string"), SerdeOf("json")});
  EXPECT_EQ(b.StoreNames(), (std::vector<std::string>{"counts", "kept"}));
  b.ConfigureStore("counts", Options(true, false, false));
  b.ConfigureStore("kept", Options(std::nullopt, false, std::nullopt));
  auto t = b.Build();
  ASSERT_TRUE(t.ok()) << t.status().ToString();

  std::vector<StoreSpec> keep;
  const StoreSpec* counts = FindStore(*t, "counts", keep);
  ASSERT_NE(counts, nullptr);
  EXPECT_TRUE(counts->in_memory);
  EXPECT_FALSE(counts->cached);
  EXPECT_FALSE(counts->logged);
  const StoreSpec* kept = FindStore(*t, "kept", keep);
  ASSERT_NE(kept, nullptr);
  EXPECT_TRUE(kept->in_memory);  // the step's choice, untouched
  EXPECT_FALSE(kept->cached);
  EXPECT_TRUE(kept->logged);

  const std::string d = t->Describe();
  EXPECT_NE(d.find("Store: counts (key-value, memory, no changelog)"), std::string::npos) << d;
  EXPECT_NE(d.find("Store: kept (key-value, memory, changelog)"), std::string::npos) << d;
  EXPECT_NE(t->DescribeJson().find(R"({"name":"counts","kind":"key-value","backend":"memory","cached":false,)"
                                   R"("changelog":false})"),
            std::string::npos)
      << t->DescribeJson();
}

TEST(StoreOptions, UnknownAndGlobalStoreNamesAreReported) {
  StreamsBuilder b;
  b.GlobalTable("countries", "countries", StringJson());
  b.Stream("orders", {"orders"}, StringJson())
      .GroupByKey()
      .Count("counts")
      .To("out", "counts", {SerdeOf("string"), SerdeOf("json")});
  b.ConfigureStore("count", Options(true, std::nullopt, std::nullopt));
  b.ConfigureStore("countries", Options(true, std::nullopt, std::nullopt));
  auto t = b.Build();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("store 'count' is configured but no step declares it"), std::string::npos)
      << t.status().message();
  EXPECT_NE(t.status().message().find("store 'countries' belongs to global table 'countries'"), std::string::npos)
      << t.status().message();
}

TEST(DeclaredPartitions, AJoinOfTopicsWithDifferentCountsIsRefusedAtBuild) {
  auto build = [](int orders, int customers) {
    StreamsBuilder b;
    KStream table = b.Table("customers", {"customers"}, StringJson(customers));
    b.Stream("orders", {"orders"}, StringJson(orders))
        .JoinTable("enrich", table, JoinType::kInner,
                   [](const Record& l, const Value& r) -> Result<Value> { return r.is_null() ? l.value : r; })
        .To("out", "enriched", {SerdeOf("string"), SerdeOf("json")});
    return b.Build();
  };
  auto mismatch = build(6, 4);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("topics 'customers' (4 partitions) and 'orders' (6) are read by one "
                                             "subtopology and must be co-partitioned"),
            std::string::npos)
      << mismatch.status().message();
  EXPECT_TRUE(build(6, 6).ok());
  EXPECT_TRUE(build(6, 0).ok());  // not declared: the runtime checks against the broker
  EXPECT_FALSE(build(-1, 0).ok());
}

TEST(DeclaredPartitions, ARepartitionTopicTakesItsWritersCount) {
  StreamsBuilder b;
  KStream table = b.Table("by-country", {"by-country"}, StringJson(6));
  b.Stream("clicks", {"clicks"}, StringJson(3))
      .SelectKey("rekey", [](const Record& r) -> Result<Value> { return r.value; })
      .JoinTable("enrich", table, JoinType::kInner,
                 [](const Record& l, const Value& r) -> Result<Value> { return r.is_null() ? l.value : r; })
      .To("out", "enriched", {SerdeOf("string"), SerdeOf("json")});
  auto t = b.Build();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("repartition topic 'enrich-repartition' (3, as its input)"), std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace streamapp
