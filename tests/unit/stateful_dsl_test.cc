// Stateful DSL steps run in-process: grouping through a repartition topic,
// counts kept in RocksDB stores, the record cache folding updates.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "dsl/graph.h"
#include "streamapp/dsl.h"
#include "support/inprocess_driver.h"

namespace streamapp {
namespace {

std::shared_ptr<const Serde> SerdeOf(const std::string& spec) {
  return *MakeSerde(spec, {});
}

Topology WordCount() {
  StreamsBuilder b;
  b.Stream("lines", {"lines"}, {SerdeOf("string"), SerdeOf("string"), {}})
      .FlatMap("words",
               [](Record r) -> Result<std::vector<Record>> {
                 std::vector<Record> out;
                 std::istringstream in(r.value.as_string());
                 for (std::string w; in >> w;) out.push_back(Record{Value(w), Value(w), r.timestamp, {}, r.source});
                 return out;
               })
      .GroupBy("by-word", [](const Record& r) -> Result<Value> { return r.value; })
      .Count("counts")
      .To("out", "word-counts", {SerdeOf("string"), SerdeOf("json")});
  auto t = b.Build();
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return *t;
}

const std::vector<std::string> kLines = {"a b c a", "b a", "c c c", "a", "d b a"};

std::map<std::string, int64_t> Expected() {
  std::map<std::string, int64_t> counts;
  for (const auto& l : kLines) {
    std::istringstream in(l);
    for (std::string w; in >> w;) ++counts[w];
  }
  return counts;
}

TEST(StatefulDsl, GroupByRepartitionsAndSplitsSubtopologies) {
  Topology t = WordCount();
  ASSERT_EQ(t.data().subtopologies.size(), 2u);
  EXPECT_EQ(t.data().repartition_topics.count("counts-repartition"), 1u);
  EXPECT_EQ(t.SinkTopics(), std::vector<std::string>{"word-counts"});  // internal topics are not sinks
  const std::string d = t.Describe();
  EXPECT_NE(d.find("counts-repartition-sink"), std::string::npos) << d;
  EXPECT_NE(d.find("counts-repartition-source"), std::string::npos) << d;
  auto resolved = dsl::ResolveInternalTopics(t.data(), "app");
  EXPECT_EQ(resolved->repartition_topics.count("app-counts-repartition"), 1u);
  EXPECT_EQ(resolved->subtopology_of_topic.count("app-counts-repartition"), 1u);
}

// A custom operator that keeps per-key state, like a plugin's.
class KeyedStateDef final : public OperatorDef {
 public:
  std::unique_ptr<Processor> CreateProcessor() const override { return nullptr; }
  std::string_view kind() const override { return "keyed-state"; }
  std::vector<StoreSpec> stores() const override {
    StoreSpec s;
    s.name = "keyed";
    return {s};
  }
};

TEST(StatefulDsl, AStatefulCustomOperatorAfterAKeyChangeReadsThroughARepartitionTopic) {
  auto build = [](bool rekey) {
    StreamsBuilder b;
    KStream s = b.Stream("in", {"in"}, {SerdeOf("string"), SerdeOf("json"), {}});
    if (rekey) s = s.SelectKey("rekey", [](const Record& r) -> Result<Value> { return r.value; });
    s.Process("state", std::make_shared<KeyedStateDef>()).To("out", "out", {SerdeOf("string"), SerdeOf("json")});
    auto t = b.Build();
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return *t;
  };
  Topology rekeyed = build(true);
  EXPECT_EQ(rekeyed.data().repartition_topics.count("state-repartition"), 1u);
  EXPECT_EQ(rekeyed.data().subtopologies.size(), 2u);
  Topology same_key = build(false);
  EXPECT_TRUE(same_key.data().repartition_topics.empty());
  EXPECT_EQ(same_key.data().subtopologies.size(), 1u);
}

TEST(StatefulDsl, CountsEqualTheInputWithAndWithoutTheCache) {
  for (size_t cache : {size_t{0}, size_t{1 << 20}}) {
    SCOPED_TRACE("cache " + std::to_string(cache));
    testing::InProcessDriver driver(WordCount(), "dlq", cache);
    int64_t ts = 1000;
    for (const auto& l : kLines) ASSERT_TRUE(driver.Pipe("lines", std::nullopt, l, ts++).ok());
    ASSERT_TRUE(driver.Commit().ok());

    std::map<std::string, int64_t> last;
    size_t updates = 0;
    for (const auto& o : driver.outputs()) {
      ASSERT_EQ(o.topic, "word-counts");
      last[*o.key] = std::stoll(*o.value);
      ++updates;
    }
    EXPECT_EQ(last, Expected());
    // Without a cache every update goes downstream; with one, one per key.
    size_t words = 0;
    for (const auto& [w, n] : Expected()) words += static_cast<size_t>(n);
    EXPECT_EQ(words, 13u);
    EXPECT_EQ(updates, cache == 0 ? words : Expected().size());
    // The changelog gets the same folding as downstream.
    EXPECT_EQ(driver.changelogs().size(), updates);

    auto* store = dynamic_cast<KeyValueStore*>(driver.Store("counts-repartition", "counts"));
    ASSERT_NE(store, nullptr);
    for (const auto& [word, count] : Expected()) {
      auto v = store->Get(word);
      ASSERT_TRUE(v.ok());
      ASSERT_TRUE(v->has_value()) << word;
      EXPECT_EQ(**v, std::to_string(count));
    }
  }
}

}  // namespace
}  // namespace streamapp
