// topologies/sales.yaml reads Protobuf by changing only the stream's serde:
// the same generated orders (same seed), once as JSON into the shipped
// topology and once as Protobuf into the topology with
// `value: protobuf:streamapp.pipelines.Order`, give the same outputs, record
// for record, on every output topic.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "streamapp/generators/generator.h"
#include "streamapp/test_driver.h"
#include "streamapp/topology_file.h"
#include "support/files.h"

namespace streamapp {
namespace {

using testing::ReadFile;

// Every output record as "topic key value" text, in the order written.
std::vector<std::string> RunSales(const std::string& text, generators::Format format) {
  LoadResult loaded = LoadTopologyText(text, "sales.yaml", std::string(STREAMAPP_SOURCE_DIR) + "/topologies");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front().ToString();
  if (!loaded.loaded) return {};
  TestDriverOptions options;
  options.application_id = loaded.loaded->app.application_id;
  options.dlq_topic = loaded.loaded->app.dlq_topic;
  auto driver = TopologyTestDriver::Create(loaded.loaded->topology, options);
  EXPECT_TRUE(driver.ok()) << driver.status().ToString();
  if (!driver.ok()) return {};

  generators::GeneratorOptions g;
  g.seed = 3;
  g.format = format;
  // 2 000 orders a minute apart: about 33 hours, so hours and a day close;
  // 50 clients, so some reach every segment and become loyal.
  g.params = {{"order_gap_ms", "60000"}, {"clients", "50"}};
  auto gen = generators::MakeGenerator("sales", g);
  EXPECT_TRUE(gen.ok()) << gen.status().ToString();
  if (!gen.ok()) return {};
  generators::GeneratedRecord r;
  for (int i = 0; i < 2000; ++i) {
    (*gen)->Next(r);
    Status st = (*driver)->Pipe(std::string(r.topic), r.key, r.value, r.timestamp);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  std::vector<std::string> out;
  for (const TestRecord& o : (*driver)->outputs()) {
    auto key = (*driver)->DecodeKey(o);
    auto value = (*driver)->DecodeValue(o);
    EXPECT_TRUE(key.ok() && value.ok());
    if (key.ok() && value.ok()) out.push_back(o.topic + " " + key->ToJson() + " " + value->ToJson());
  }
  return out;
}

TEST(AnalyticsSalesProtobuf, SalesGivesTheSameOutputsFromProtobufAsFromJson) {
  const std::string json = ReadFile(std::string(STREAMAPP_SOURCE_DIR) + "/topologies/sales.yaml");
  const std::string json_serde = "value: json                  # or protobuf:streamapp.pipelines.Order";
  const size_t at = json.find(json_serde);
  ASSERT_NE(at, std::string::npos);
  std::string proto = json;
  proto.replace(at, json_serde.size(), "value: protobuf:streamapp.pipelines.Order");

  const auto from_json = RunSales(json, generators::Format::kJson);
  const auto from_proto = RunSales(proto, generators::Format::kProtobuf);
  EXPECT_EQ(from_json, from_proto);
  for (const std::string topic :
       {"sales.orders.bronze", "sales.client_stats", "sales.country_revenue.1h", "sales.category_revenue.1d",
        "sales.client_segments", "sales.loyal_clients", "sales.top_clients.1h"}) {
    const bool found = std::any_of(from_json.begin(), from_json.end(),
                                   [&](const std::string& line) { return line.rfind(topic + " ", 0) == 0; });
    EXPECT_TRUE(found) << "no output on " << topic;
  }
  // Nothing went to the dead-letter topic: every generated order is valid.
  EXPECT_TRUE(std::none_of(from_proto.begin(), from_proto.end(),
                           [](const std::string& line) { return line.rfind("sales.dlq ", 0) == 0; }));
}

}  // namespace
}  // namespace streamapp
