// topologies/example.yaml (every stateless step) on a known input gives the
// expected output: tests/data/example/{orders,expected}.jsonl.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "streamapp/examples/order.pb.h"
#include "streamapp/topology_file.h"
#include "support/canonical_json.h"
#include "support/inprocess_driver.h"

namespace streamapp {
namespace {

std::shared_ptr<const Serde> Json() {
  return *MakeSerde("json", {});
}

using testing::Canonical;

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

// Protobuf values resolved at run time from proto/: the topology filters on a
// field and writes protobuf again; the generated class reads the output.
TEST(ExampleTopology, ProtobufInAndOut) {
  const std::string root = STREAMAPP_SOURCE_DIR;
  LoadResult loaded = LoadTopologyFile(root + "/tests/data/topologies/valid/protobuf.yaml");
  ASSERT_TRUE(loaded.loaded) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  testing::InProcessDriver driver(loaded.loaded->topology, "proto-app-dlq");
  for (int q = 0; q < 4; ++q) {
    examples::Order order;
    order.set_order_id("o" + std::to_string(q));
    order.set_quantity(q);
    order.set_amount(2.5 * q);
    order.mutable_customer()->set_country("NO");
    order.add_tags("t" + std::to_string(q));
    order.set_event_time_ms(1700000000000 + q);
    ASSERT_TRUE(driver.Pipe("proto-orders", std::nullopt, order.SerializeAsString(), 1).ok());
  }
  ASSERT_TRUE(driver.Pipe("proto-orders", std::nullopt, std::string("\xff\xff garbage"), 1).ok());

  const auto& out = driver.outputs();
  ASSERT_EQ(out.size(), 3u);  // quantities 2 and 3, then the garbage to the DLQ
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out[i].topic, "proto-orders-out");
    examples::Order decoded;
    ASSERT_TRUE(decoded.ParseFromString(*out[i].value));
    EXPECT_EQ(decoded.quantity(), static_cast<int64_t>(i + 2));
    EXPECT_EQ(decoded.order_id(), "o" + std::to_string(i + 2));
    EXPECT_EQ(decoded.customer().country(), "NO");
    EXPECT_EQ(decoded.tags(0), "t" + std::to_string(i + 2));
    EXPECT_EQ(out[i].timestamp, 1700000000000 + static_cast<int64_t>(i) + 2);  // from event_time_ms
  }
  EXPECT_EQ(out[2].topic, "proto-app-dlq");
}

}  // namespace
}  // namespace streamapp
