// topologies/example.yaml (every stateless step) on a known input gives the
// expected output: tests/data/example/{orders,expected}.jsonl.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "streamapp/topology_file.h"
#include "support/inprocess_driver.h"

namespace streamapp {
namespace {

std::shared_ptr<const Serde> Json() {
  return *MakeSerde("json", {});
}

Value Canonical(Value v) {
  if (v.is_object()) {
    auto& obj = v.as_object();
    for (Field& f : obj) f.value = Canonical(std::move(f.value));
    std::sort(obj.begin(), obj.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  } else if (v.is_array()) {
    for (Value& e : v.as_array()) e = Canonical(std::move(e));
  }
  return v;
}

std::vector<Value> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<Value> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Value v;
    EXPECT_TRUE(Json()->Deserialize(line, &v).ok()) << line;
    out.push_back(std::move(v));
  }
  return out;
}

TEST(ExampleTopology, EveryStatelessStepGivesTheExpectedOutput) {
  const std::string root = STREAMAPP_SOURCE_DIR;
  LoadResult loaded = LoadTopologyFile(root + "/topologies/example.yaml");
  ASSERT_TRUE(loaded.loaded) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  testing::InProcessDriver driver(loaded.loaded->topology, "example-app-dlq");

  for (const Value& in : ReadJsonLines(root + "/tests/data/example/orders.jsonl")) {
    std::string value = in.Find("raw") ? in.Find("raw")->as_string() : in.Find("value")->ToJson();
    ASSERT_TRUE(driver.Pipe("orders", in.Find("key")->as_string(), value, 1).ok());
  }

  std::vector<Value> expected = ReadJsonLines(root + "/tests/data/example/expected.jsonl");
  const auto& actual = driver.outputs();
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("output " + std::to_string(i));
    const Value& e = expected[i];
    EXPECT_EQ(actual[i].topic, e.Find("topic")->as_string());
    EXPECT_EQ(actual[i].key, e.Find("key")->as_string());
    if (const Value* raw = e.Find("raw")) {
      EXPECT_EQ(actual[i].value, raw->as_string());  // dead-lettered: the original bytes
      continue;
    }
    EXPECT_EQ(actual[i].timestamp, e.Find("timestamp")->as_int());
    Value v;
    ASSERT_TRUE(Json()->Deserialize(*actual[i].value, &v).ok());
    EXPECT_EQ(Canonical(std::move(v)).ToJson(), Canonical(*e.Find("value")).ToJson());
  }
}

}  // namespace
}  // namespace streamapp
