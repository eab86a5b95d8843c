// The `changes` operator (operators/src/analytics/changes_operator.cc): per
// key, a record passes only when the watched expression's value differs from
// the key's last forwarded one; the state survives a wiped restart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "streamapp/serde.h"
#include "streamapp/test_driver.h"
#include "streamapp/topology_file.h"

namespace streamapp {
namespace {

const char* kTopology = R"y(version: 1
application: {id: changes-test}
streams:
  levels: {topic: levels}
pipelines:
  level-changes:
    from: levels
    steps:
      - changes: "level >= 10 ? 'high' : 'low'"
        name: watch
      - to: changes
  first-only:
    from: levels
    steps:
      - changes: "true"
      - to: firsts
)y";

Value Json(const std::string& text) {
  static auto json = *MakeSerde("json", {});
  Value v;
  EXPECT_TRUE(json->Deserialize(text, &v).ok()) << text;
  return v;
}

// "key=level" per output record of a topic.
std::vector<std::string> Read(TopologyTestDriver& d, const std::string& topic) {
  std::vector<std::string> out;
  for (const TestRecord& r : d.ReadOutput(topic)) {
    Value key = *d.DecodeKey(r);
    Value value = *d.DecodeValue(r);
    out.push_back(key.as_string() + "=" + value.Find("level")->ToJson());
  }
  return out;
}

TEST(AnalyticsChanges, ForwardsOnlyWhenTheWatchedValueChangesPerKey) {
  LoadResult loaded = LoadTopologyText(kTopology, "inline.yaml", ".");
  ASSERT_TRUE(loaded.loaded) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  TestDriverOptions options;
  options.application_id = "changes-test";
  auto driver = TopologyTestDriver::Create(loaded.loaded->topology, options);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  TopologyTestDriver& d = **driver;

  int64_t t = 1000;
  auto pipe = [&](const char* key, int level) {
    ASSERT_TRUE(d.PipeValues("levels", Value(key), Json("{\"level\": " + std::to_string(level) + "}"), t++).ok());
  };
  pipe("a", 1);   // a: first record, low
  pipe("b", 12);  // b: first record, high
  pipe("a", 5);   // still low
  pipe("a", 10);  // high
  pipe("b", 15);  // still high
  EXPECT_EQ(Read(d, "changes"), (std::vector<std::string>{"a=1", "b=12", "a=10"}));
  EXPECT_EQ(Read(d, "firsts"), (std::vector<std::string>{"a=1", "b=12"}));

  // The last forwarded value comes back from the changelog.
  ASSERT_TRUE(d.Restart(RestartMode::kWipeState).ok());
  pipe("a", 11);  // still high: nothing
  pipe("b", 3);   // low
  pipe("c", 3);   // a new key
  EXPECT_EQ(Read(d, "changes"), (std::vector<std::string>{"b=3", "c=3"}));
  EXPECT_EQ(Read(d, "firsts"), (std::vector<std::string>{"c=3"}));
}

TEST(AnalyticsChanges, AnExpressionErrorGoesToTheDeadLetterTopic) {
  const char* yaml = R"y(version: 1
application: {id: changes-bad, dlq_topic: bad}
streams:
  levels: {topic: levels}
pipelines:
  p:
    from: levels
    steps:
      - changes: "level + 1"
      - to: out
)y";
  LoadResult loaded = LoadTopologyText(yaml, "inline.yaml", ".");
  ASSERT_TRUE(loaded.loaded);
  TestDriverOptions options;
  options.application_id = "changes-bad";
  options.dlq_topic = "bad";
  auto driver = TopologyTestDriver::Create(loaded.loaded->topology, options);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  TopologyTestDriver& d = **driver;
  ASSERT_TRUE(d.PipeValues("levels", Value("a"), Json("{\"level\": \"x\"}"), 1).ok());
  EXPECT_TRUE(d.ReadOutput("out").empty());
  EXPECT_EQ(d.ReadOutput("bad").size(), 1u);
}

}  // namespace
}  // namespace streamapp
