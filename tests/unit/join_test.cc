// Joins run in-process: stream-table, windowed stream-stream, table-table.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/graph.h"
#include "dsl/join_ops.h"
#include "streamapp/dsl.h"
#include "support/inprocess_driver.h"

namespace streamapp {
namespace {

using std::chrono::milliseconds;

std::shared_ptr<const Serde> SerdeOf(const std::string& spec) {
  return *MakeSerde(spec, {});
}

Consumed Strings() {
  return {SerdeOf("string"), SerdeOf("string"), {}};
}
Produced StringsOut() {
  return {SerdeOf("string"), SerdeOf("string")};
}

std::string Text(const Value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return v.as_string();
  return v.ToJson();
}

// "left|right", a missing side written "null".
ValueJoiner Concat() {
  return [](const Record& left, const Value& right) -> Result<Value> {
    return Value(Text(left.value) + "|" + Text(right));
  };
}

struct Out {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
  bool operator==(const Out&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Out& o) {
  return os << "{" << o.key.value_or("<null>") << ", " << o.value.value_or("<null>") << ", " << o.timestamp << "}";
}

// What the topology wrote to `topic`, in order.
std::vector<Out> Written(const testing::InProcessDriver& driver, const std::string& topic = "out") {
  std::vector<Out> out;
  for (const auto& o : driver.outputs()) {
    if (o.topic == topic) out.push_back({o.key, o.value, o.timestamp});
  }
  return out;
}

// Records written to `topic` since `*seen` of them were; advances `*seen`.
std::vector<Out> Fresh(const testing::InProcessDriver& driver, size_t* seen, const std::string& topic = "out") {
  std::vector<Out> all = Written(driver, topic);
  std::vector<Out> fresh(all.begin() + static_cast<std::ptrdiff_t>(std::min(*seen, all.size())), all.end());
  *seen = all.size();
  return fresh;
}

Topology BuildOrDie(StreamsBuilder& b) {
  auto t = b.Build();
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) throw std::runtime_error(t.status().ToString());
  return *t;
}

std::optional<std::string> None() {
  return std::nullopt;
}

// ---- stream-table ----

Topology StreamTable(JoinType type, bool rekey = false) {
  StreamsBuilder b;
  KStream orders = b.Stream("orders", {"orders"}, Strings());
  KStream customers = b.Table("customers", {"customers"}, Strings());
  if (rekey) {
    // The order value names the customer: "<customer>:<item>".
    orders = orders.SelectKey("by-customer", [](const Record& r) -> Result<Value> {
      const std::string& v = r.value.as_string();
      return Value(v.substr(0, v.find(':')));
    });
  }
  orders.JoinTable("enrich", customers, type, Concat()).To("out", "out", StringsOut());
  return BuildOrDie(b);
}

TEST(JoinStreamTable, InnerEmitsOnlyWhenTheTableHasTheKey) {
  Topology t = StreamTable(JoinType::kInner);
  ASSERT_EQ(t.data().subtopologies.size(), 1u);  // the join reads the table's store
  const std::string d = t.Describe();
  EXPECT_NE(d.find("join-table"), std::string::npos) << d;
  EXPECT_NE(d.find("inner join with store customers"), std::string::npos) << d;

  testing::InProcessDriver driver(t, "dlq");
  ASSERT_TRUE(driver.Pipe("customers", "k1", "alice", 10).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o1", 20).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k2", "o2", 21).ok());      // no customer k2
  ASSERT_TRUE(driver.Pipe("customers", "k2", "bob", 22).ok());  // table updates emit nothing
  ASSERT_TRUE(driver.Pipe("customers", "k1", "alicia", 23).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k2", "o3", 24).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o4", 25).ok());
  ASSERT_TRUE(driver.Pipe("customers", "k1", None(), 26).ok());  // delete
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o5", 27).ok());
  ASSERT_TRUE(driver.Pipe("orders", None(), "o6", 28).ok());  // null key: dropped
  EXPECT_EQ(Written(driver), (std::vector<Out>{
                                 {"k1", "o1|alice", 20},
                                 {"k2", "o3|bob", 24},
                                 {"k1", "o4|alicia", 25},
                             }));
  EXPECT_EQ(driver.Counter("join-null-key-dropped"), 1);
  EXPECT_TRUE(Written(driver, "dlq").empty());
}

TEST(JoinStreamTable, LeftEmitsEveryRecordWithNullForAMissingKey) {
  testing::InProcessDriver driver(StreamTable(JoinType::kLeft), "dlq");
  ASSERT_TRUE(driver.Pipe("customers", "k1", "alice", 10).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o1", 20).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k2", "o2", 21).ok());
  ASSERT_TRUE(driver.Pipe("customers", "k2", "bob", 22).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k2", "o3", 24).ok());
  ASSERT_TRUE(driver.Pipe("customers", "k1", None(), 26).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o5", 27).ok());
  ASSERT_TRUE(driver.Pipe("orders", None(), "o6", 28).ok());
  EXPECT_EQ(Written(driver), (std::vector<Out>{
                                 {"k1", "o1|alice", 20},
                                 {"k2", "o2|null", 21},
                                 {"k2", "o3|bob", 24},
                                 {"k1", "o5|null", 27},
                                 {None(), "o6|null", 28},
                             }));
  EXPECT_EQ(driver.Counter("join-null-key-dropped"), 0);
}

TEST(JoinStreamTable, ReadsUnflushedTableUpdatesThroughTheCache) {
  testing::InProcessDriver driver(StreamTable(JoinType::kLeft), "dlq", 1 << 20);
  ASSERT_TRUE(driver.Pipe("customers", "k1", "alice", 10).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o1", 20).ok());
  ASSERT_TRUE(driver.Pipe("customers", "k1", None(), 21).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o2", 22).ok());
  ASSERT_TRUE(driver.Commit().ok());
  EXPECT_EQ(Written(driver), (std::vector<Out>{{"k1", "o1|alice", 20}, {"k1", "o2|null", 22}}));
}

TEST(JoinStreamTable, RepartitionsAStreamWhoseKeyChanged) {
  Topology t = StreamTable(JoinType::kInner, /*rekey=*/true);
  EXPECT_EQ(t.data().repartition_topics.count("enrich-repartition"), 1u);
  ASSERT_EQ(t.data().subtopologies.size(), 2u);
  testing::InProcessDriver driver(t, "dlq");
  ASSERT_TRUE(driver.Pipe("customers", "c1", "alice", 10).ok());
  ASSERT_TRUE(driver.Pipe("orders", "x", "c1:book", 20).ok());
  ASSERT_TRUE(driver.Pipe("orders", "y", "c2:pen", 21).ok());
  EXPECT_EQ(Written(driver), (std::vector<Out>{{"c1", "c1:book|alice", 20}}));
}

// The table's values are read back as json (StreamsBuilder::Table's default
// Materialized.value): structured values arrive as they were.
TEST(JoinStreamTable, ReadsStructuredTableValues) {
  StreamsBuilder b;
  KStream orders = b.Stream("orders", {"orders"}, Strings());
  KStream customers = b.Table("customers", {"customers"}, {SerdeOf("string"), SerdeOf("json"), {}});
  orders
      .JoinTable("enrich", customers, JoinType::kInner,
                 [](const Record& l, const Value& r) -> Result<Value> {
                   const Value* name = r.Find("name");
                   if (name == nullptr) return Status::DataError("no name");
                   return Value(l.value.as_string() + " for " + name->as_string());
                 })
      .To("out", "out", StringsOut());
  testing::InProcessDriver driver(BuildOrDie(b), "dlq");
  ASSERT_TRUE(driver.Pipe("customers", "k1", R"({"name":"alice","tier":2})", 10).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o1", 20).ok());
  EXPECT_EQ(Written(driver), (std::vector<Out>{{"k1", "o1 for alice", 20}}));
}

// Documents a limitation (see joins.cc): a join cannot learn a table's
// Materialized.value serde and reads values as json, so a table stored with
// another value serde fails to decode (the stream record goes to the DLQ).
TEST(JoinStreamTable, ReadsTheTableWithItsMaterializedValueSerde) {
  StreamsBuilder b;
  KStream orders = b.Stream("orders", {"orders"}, Strings());
  Materialized m;
  m.value = SerdeOf("string");
  KStream customers = b.Table("customers", {"customers"}, Strings(), m);
  orders.JoinTable("enrich", customers, JoinType::kInner, Concat()).To("out", "out", StringsOut());
  testing::InProcessDriver driver(BuildOrDie(b), "dlq");
  ASSERT_TRUE(driver.Pipe("customers", "k1", "alice", 10).ok());
  ASSERT_TRUE(driver.Pipe("orders", "k1", "o1", 20).ok());
  ASSERT_EQ(Written(driver).size(), 1u);
  EXPECT_EQ(Written(driver)[0].value, "o1|alice");
  EXPECT_TRUE(Written(driver, "dlq").empty());
}

TEST(JoinStreamTable, RejectsNonTablesAndOuterJoins) {
  StreamsBuilder b;
  KStream orders = b.Stream("orders", {"orders"}, Strings());
  KStream other = b.Stream("other", {"other"}, Strings());
  KStream customers = b.Table("customers", {"customers"}, Strings());
  orders.JoinTable("j1", other, JoinType::kInner, Concat());
  orders.JoinTable("j2", customers, JoinType::kOuter, Concat());
  orders.JoinTable("j3", customers, JoinType::kInner, nullptr);
  auto t = b.Build();
  ASSERT_FALSE(t.ok());
  const std::string msg = t.status().ToString();
  EXPECT_NE(msg.find("join 'j1': table 'other' is not a table"), std::string::npos) << msg;
  EXPECT_NE(msg.find("join 'j2': a stream-table join is inner or left"), std::string::npos) << msg;
  EXPECT_NE(msg.find("join 'j3': no joiner"), std::string::npos) << msg;
}

// ---- stream-stream ----

constexpr JoinWindows kWindows{milliseconds(10), milliseconds(20), milliseconds(5)};

Topology StreamStream(JoinType type, JoinWindows windows = kWindows) {
  StreamsBuilder b;
  KStream left = b.Stream("left", {"left"}, Strings());
  KStream right = b.Stream("right", {"right"}, Strings());
  left.JoinStream("j", right, windows, type, Concat()).To("out", "out", StringsOut());
  return BuildOrDie(b);
}

TEST(JoinStreamStream, TopologyHasBothSidesInOneSubtopology) {
  Topology t = StreamStream(JoinType::kInner);
  ASSERT_EQ(t.data().subtopologies.size(), 1u);
  const std::string d = t.Describe();
  for (const char* s : {"join-stream-this", "join-stream-other", "j-this-store", "j-other-store"}) {
    EXPECT_NE(d.find(s), std::string::npos) << s << "\n" << d;
  }
  for (const auto& n : t.data().nodes) {
    if (n.kind != dsl::NodeKind::kProcessor || n.name.rfind("j-", 0) != 0) continue;
    ASSERT_EQ(n.op->stores().size(), 1u);
    EXPECT_EQ(n.op->stores()[0].kind, StoreKind::kWindow);
    EXPECT_EQ(n.op->stores()[0].retention, milliseconds(10 + 20 + 5 + 1));
    EXPECT_EQ(n.op->connected_stores().size(), 1u);
  }
}

TEST(JoinStreamStream, InnerMatchesWithinTheWindow) {
  // before 10: the right record up to 10 ms earlier; after 20: up to 20 ms later.
  testing::InProcessDriver driver(StreamStream(JoinType::kInner), "dlq");
  size_t seen = 0;
  ASSERT_TRUE(driver.Pipe("left", "k1", "a", 100).ok());
  EXPECT_EQ(Fresh(driver, &seen), std::vector<Out>{});
  ASSERT_TRUE(driver.Pipe("right", "k1", "x", 110).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "a|x", 110}}));
  // Out of order but in the window (and not late: 96 + 10 + 5 >= 110).
  ASSERT_TRUE(driver.Pipe("right", "k1", "y", 96).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "a|y", 100}}));
  // 21 ms after a: outside `after`.
  ASSERT_TRUE(driver.Pipe("right", "k1", "z", 121).ok());
  EXPECT_EQ(Fresh(driver, &seen), std::vector<Out>{});
  // Matches the right records in [101, 131], in timestamp order.
  ASSERT_TRUE(driver.Pipe("left", "k1", "b", 111).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "b|x", 111}, {"k1", "b|z", 121}}));
  ASSERT_TRUE(driver.Pipe("left", "k2", "c", 115).ok());  // other key
  EXPECT_EQ(Fresh(driver, &seen), std::vector<Out>{});
  // Two records with one key and timestamp are both kept.
  ASSERT_TRUE(driver.Pipe("right", "k1", "d1", 120).ok());
  ASSERT_TRUE(driver.Pipe("right", "k1", "d2", 120).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{
                                      {"k1", "a|d1", 120},  // exactly `after`
                                      {"k1", "b|d1", 120},
                                      {"k1", "a|d2", 120},
                                      {"k1", "b|d2", 120},
                                  }));
  ASSERT_TRUE(driver.Pipe("left", "k1", "e", 125).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "e|d1", 125}, {"k1", "e|d2", 125}, {"k1", "e|z", 125}}));
  // Late: stream time 125 is past 90 + 20 + 5 (left) and 100 + 10 + 5 (right).
  ASSERT_TRUE(driver.Pipe("left", "k1", "late", 90).ok());
  ASSERT_TRUE(driver.Pipe("right", "k1", "late", 100).ok());
  EXPECT_EQ(Fresh(driver, &seen), std::vector<Out>{});
  EXPECT_EQ(driver.Counter("late-records-dropped"), 2);
  // `before` bounds: a right record exactly 10 ms earlier matches, 11 does not.
  ASSERT_TRUE(driver.Pipe("left", "k3", "m", 130).ok());
  ASSERT_TRUE(driver.Pipe("right", "k3", "q", 120).ok());
  ASSERT_TRUE(driver.Pipe("right", "k3", "r", 119).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k3", "m|q", 130}}));
  // Null keys never match; an inner join drops them.
  ASSERT_TRUE(driver.Pipe("left", None(), "n", 130).ok());
  EXPECT_EQ(Fresh(driver, &seen), std::vector<Out>{});
  EXPECT_EQ(driver.Counter("join-null-key-dropped"), 1);
}

TEST(JoinStreamStream, LeftEmitsUnmatchedRecordsOnceTheWindowCloses) {
  // A left record at t closes at t + 20 + 5; a right one at t + 10 + 5.
  testing::InProcessDriver driver(StreamStream(JoinType::kLeft), "dlq");
  size_t seen = 0;
  ASSERT_TRUE(driver.Pipe("left", "k1", "a", 100).ok());
  ASSERT_TRUE(driver.Pipe("left", "k2", "b", 105).ok());
  ASSERT_TRUE(driver.Pipe("right", "k1", "x", 110).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "a|x", 110}}));
  ASSERT_TRUE(driver.Pipe("left", "k1", "c", 124).ok());
  ASSERT_TRUE(driver.Pipe("right", "k2", "late-ish", 120).ok());  // matches b: b is never emitted unmatched
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k2", "b|late-ish", 120}}));
  ASSERT_TRUE(driver.Pipe("left", "k4", "f", 120).ok());
  ASSERT_TRUE(driver.Pipe("right", "k9", "w", 146).ok());  // closes f (145), not c (149)
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k4", "f|null", 120}}));
  ASSERT_TRUE(driver.Pipe("left", "k1", "d", 140).ok());
  ASSERT_TRUE(driver.Pipe("right", "k9", "t", 160).ok());  // closes c; d (165) stays open
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "c|null", 124}}));
  ASSERT_TRUE(driver.Pipe("right", "k1", "y", 150).ok());  // in d's window
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "d|y", 150}}));
  ASSERT_TRUE(driver.Pipe("right", "k9", "u", 200).ok());  // d matched: nothing
  ASSERT_TRUE(driver.Pipe("left", "k1", "late", 170).ok());
  ASSERT_TRUE(driver.Pipe("right", "k9", "v", 300).ok());
  EXPECT_EQ(Fresh(driver, &seen), std::vector<Out>{});
  EXPECT_EQ(driver.Counter("late-records-dropped"), 1);
  // A left null key can never match: emitted at once.
  ASSERT_TRUE(driver.Pipe("left", None(), "n", 300).ok());
  ASSERT_TRUE(driver.Pipe("right", None(), "m", 300).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{None(), "n|null", 300}}));
  EXPECT_EQ(driver.Counter("join-null-key-dropped"), 1);
}

TEST(JoinStreamStream, OuterEmitsUnmatchedRecordsOfBothSides) {
  testing::InProcessDriver driver(StreamStream(JoinType::kOuter), "dlq");
  size_t seen = 0;
  ASSERT_TRUE(driver.Pipe("left", "k1", "a", 100).ok());
  ASSERT_TRUE(driver.Pipe("right", "k2", "x", 105).ok());
  ASSERT_TRUE(driver.Pipe("right", "k1", "y", 110).ok());
  ASSERT_TRUE(driver.Pipe("left", "k3", "b", 112).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k1", "a|y", 110}}));
  // x closes at 120, b at 137; in timestamp order, before t's own output.
  ASSERT_TRUE(driver.Pipe("right", "k9", "t", 140).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k2", "null|x", 105}, {"k3", "b|null", 112}}));
  // Duplicates, both unmatched; t (closes 155) goes first.
  ASSERT_TRUE(driver.Pipe("left", "k5", "p1", 150).ok());
  ASSERT_TRUE(driver.Pipe("left", "k5", "p2", 150).ok());
  ASSERT_TRUE(driver.Pipe("left", "k9", "s", 200).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{
                                      {"k9", "null|t", 140},
                                      {"k5", "p1|null", 150},
                                      {"k5", "p2|null", 150},
                                  }));
  // Same timestamp on both sides: the left side first.
  ASSERT_TRUE(driver.Pipe("right", "k7", "r", 200).ok());
  ASSERT_TRUE(driver.Pipe("left", "k8", "z", 400).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k9", "s|null", 200}, {"k7", "null|r", 200}}));
  // Emitted once.
  ASSERT_TRUE(driver.Pipe("right", "k8", "zz", 410).ok());
  ASSERT_TRUE(driver.Pipe("left", "k8", "end", 1000).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{"k8", "z|zz", 410}}));
  // Null keys: both sides at once.
  ASSERT_TRUE(driver.Pipe("left", None(), "n", 1000).ok());
  ASSERT_TRUE(driver.Pipe("right", None(), "m", 1000).ok());
  EXPECT_EQ(Fresh(driver, &seen), (std::vector<Out>{{None(), "n|null", 1000}, {None(), "null|m", 1000}}));
}

TEST(JoinStreamStream, ExpiresOldRecords) {
  Topology t = StreamStream(JoinType::kInner);
  testing::InProcessDriver driver(t, "dlq");
  ASSERT_TRUE(driver.Pipe("left", "k1", "a", 100).ok());
  ASSERT_TRUE(driver.Pipe("left", "k1", "b", 200).ok());
  auto* store = static_cast<WindowStore*>(driver.Store("left", "j-this-store"));
  ASSERT_NE(store, nullptr);
  std::vector<int64_t> starts;
  ASSERT_TRUE(store
                  ->FetchAll(0, 1000,
                             [&](std::string_view, int64_t start, std::string_view) {
                               starts.push_back(start);
                               return true;
                             })
                  .ok());
  EXPECT_EQ(starts, std::vector<int64_t>{200});  // 100 < 200 - 35: no record can match it
}

TEST(JoinStreamStream, RejectsNegativeWindows) {
  StreamsBuilder b;
  KStream left = b.Stream("left", {"left"}, Strings());
  KStream right = b.Stream("right", {"right"}, Strings());
  left.JoinStream("j", right, {milliseconds(-1), milliseconds(0), milliseconds(0)}, JoinType::kInner, Concat());
  auto t = b.Build();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().ToString().find("must not be negative"), std::string::npos) << t.status().ToString();
}

// ---- table-table ----

Topology TableTable(JoinType type) {
  StreamsBuilder b;
  KStream lt = b.Table("lt", {"lt"}, Strings());
  KStream rt = b.Table("rt", {"rt"}, Strings());
  lt.JoinTables("tt", rt, type, Concat()).To("out", "out", StringsOut());
  return BuildOrDie(b);
}

TEST(JoinTableTable, Inner) {
  Topology t = TableTable(JoinType::kInner);
  ASSERT_EQ(t.data().subtopologies.size(), 1u);
  const std::string d = t.Describe();
  EXPECT_NE(d.find("join-tables-left"), std::string::npos) << d;
  EXPECT_NE(d.find("join-tables-right"), std::string::npos) << d;

  testing::InProcessDriver driver(t, "dlq");
  ASSERT_TRUE(driver.Pipe("lt", "k1", "a", 1).ok());     // no right: nothing
  ASSERT_TRUE(driver.Pipe("rt", "k1", "x", 2).ok());     // a|x
  ASSERT_TRUE(driver.Pipe("lt", "k1", "b", 3).ok());     // b|x
  ASSERT_TRUE(driver.Pipe("rt", "k2", "y", 4).ok());     // no left: nothing
  ASSERT_TRUE(driver.Pipe("rt", "k1", None(), 5).ok());  // tombstone
  ASSERT_TRUE(driver.Pipe("lt", "k1", None(), 6).ok());  // neither side: nothing
  ASSERT_TRUE(driver.Pipe("lt", "k2", "c", 7).ok());     // c|y
  ASSERT_TRUE(driver.Pipe("rt", "k2", "z", 8).ok());     // c|z
  ASSERT_TRUE(driver.Pipe("lt", "k2", None(), 9).ok());  // tombstone
  EXPECT_EQ(Written(driver), (std::vector<Out>{
                                 {"k1", "a|x", 2},
                                 {"k1", "b|x", 3},
                                 {"k1", None(), 5},
                                 {"k2", "c|y", 7},
                                 {"k2", "c|z", 8},
                                 {"k2", None(), 9},
                             }));
}

TEST(JoinTableTable, Left) {
  testing::InProcessDriver driver(TableTable(JoinType::kLeft), "dlq");
  ASSERT_TRUE(driver.Pipe("lt", "k1", "a", 1).ok());     // a|null
  ASSERT_TRUE(driver.Pipe("rt", "k1", "x", 2).ok());     // a|x
  ASSERT_TRUE(driver.Pipe("rt", "k2", "y", 3).ok());     // no left: nothing
  ASSERT_TRUE(driver.Pipe("rt", "k1", None(), 4).ok());  // a|null
  ASSERT_TRUE(driver.Pipe("lt", "k1", None(), 5).ok());  // tombstone
  ASSERT_TRUE(driver.Pipe("rt", "k1", "w", 6).ok());     // no left: nothing
  ASSERT_TRUE(driver.Pipe("lt", "k2", "b", 7).ok());     // b|y
  ASSERT_TRUE(driver.Pipe("rt", "k2", "z", 8).ok());     // b|z
  ASSERT_TRUE(driver.Pipe("lt", "k2", "c", 9).ok());     // c|z
  EXPECT_EQ(Written(driver), (std::vector<Out>{
                                 {"k1", "a|null", 1},
                                 {"k1", "a|x", 2},
                                 {"k1", "a|null", 4},
                                 {"k1", None(), 5},
                                 {"k2", "b|y", 7},
                                 {"k2", "b|z", 8},
                                 {"k2", "c|z", 9},
                             }));
}

TEST(JoinTableTable, Outer) {
  testing::InProcessDriver driver(TableTable(JoinType::kOuter), "dlq");
  ASSERT_TRUE(driver.Pipe("lt", "k1", "a", 1).ok());     // a|null
  ASSERT_TRUE(driver.Pipe("rt", "k2", "y", 2).ok());     // null|y
  ASSERT_TRUE(driver.Pipe("rt", "k1", "x", 3).ok());     // a|x
  ASSERT_TRUE(driver.Pipe("lt", "k1", None(), 4).ok());  // null|x
  ASSERT_TRUE(driver.Pipe("rt", "k1", None(), 5).ok());  // tombstone
  ASSERT_TRUE(driver.Pipe("lt", "k2", "b", 6).ok());     // b|y
  ASSERT_TRUE(driver.Pipe("lt", "k2", "c", 7).ok());     // c|y
  ASSERT_TRUE(driver.Pipe("rt", "k2", None(), 8).ok());  // c|null
  ASSERT_TRUE(driver.Pipe("lt", "k2", None(), 9).ok());  // tombstone
  EXPECT_EQ(Written(driver), (std::vector<Out>{
                                 {"k1", "a|null", 1},
                                 {"k2", "null|y", 2},
                                 {"k1", "a|x", 3},
                                 {"k1", "null|x", 4},
                                 {"k1", None(), 5},
                                 {"k2", "b|y", 6},
                                 {"k2", "c|y", 7},
                                 {"k2", "c|null", 8},
                                 {"k2", None(), 9},
                             }));
}

TEST(JoinTableTable, WithCachingTablesEmitsAtCommit) {
  testing::InProcessDriver driver(TableTable(JoinType::kInner), "dlq", 1 << 20);
  ASSERT_TRUE(driver.Pipe("lt", "k1", "a", 1).ok());
  ASSERT_TRUE(driver.Pipe("rt", "k1", "x", 2).ok());
  ASSERT_TRUE(driver.Pipe("lt", "k1", "b", 3).ok());
  EXPECT_TRUE(Written(driver).empty());
  ASSERT_TRUE(driver.Commit().ok());
  std::vector<Out> out = Written(driver);
  ASSERT_FALSE(out.empty());
  for (const Out& o : out) EXPECT_EQ(o, (Out{"k1", "b|x", o.timestamp}));
}

TEST(JoinTableTable, RejectsStreams) {
  StreamsBuilder b;
  KStream lt = b.Table("lt", {"lt"}, Strings());
  KStream s = b.Stream("s", {"s"}, Strings());
  lt.JoinTables("tt", s, JoinType::kInner, Concat());
  s.JoinTables("tt2", lt, JoinType::kInner, Concat());
  auto t = b.Build();
  ASSERT_FALSE(t.ok());
  const std::string msg = t.status().ToString();
  EXPECT_NE(msg.find("join 'tt': right side 's' is not a table"), std::string::npos) << msg;
  EXPECT_NE(msg.find("join 'tt2': left side 's' is not a table"), std::string::npos) << msg;
}

// ---- encoding ----

TEST(JoinEncoding, BinaryValuesRoundTrip) {
  Value obj = Value::MakeObject();
  obj.Set("s", "text");
  obj.Set("b", Value(Value::Bytes{std::string("\0\xff", 2)}));
  obj.Set("i", int64_t{-5});
  obj.Set("d", 2.5);
  obj.Set("n", Value());
  obj.Set("t", true);
  obj.Set("a", Value(Value::Array{Value(1), Value("x"), Value(false)}));
  std::string bytes;
  dsl::AppendBinaryValue(&bytes, obj);
  auto back = dsl::ParseBinaryValue(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, obj);
  EXPECT_FALSE(dsl::ParseBinaryValue(bytes.substr(0, bytes.size() - 1)).ok());
}

}  // namespace
}  // namespace streamapp
