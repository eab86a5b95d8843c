// The clickstream and IoT topologies read Protobuf by changing only the
// stream's serde: the same generated records (same seed), once as JSON into
// the shipped topology and once as Protobuf into the topology with
// `value: protobuf:...`, give the same outputs, record for record.
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
std::vector<std::string> Run(const std::string& text, const std::string& generator, generators::Format format,
                             const std::map<std::string, std::string>& params, int count) {
  const std::string dir = std::string(STREAMAPP_SOURCE_DIR) + "/topologies";
  LoadResult loaded = LoadTopologyText(text, generator + ".yaml", dir);
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front().ToString();
  if (!loaded.loaded) return {};
  TestDriverOptions options;
  options.application_id = loaded.loaded->app.application_id;
  options.dlq_topic = loaded.loaded->app.dlq_topic;
  auto driver = TopologyTestDriver::Create(loaded.loaded->topology, options);
  EXPECT_TRUE(driver.ok()) << driver.status().ToString();
  if (!driver.ok()) return {};

  generators::GeneratorOptions g;
  g.seed = 5;
  g.format = format;
  g.params = params;
  auto gen = generators::MakeGenerator(generator, g);
  EXPECT_TRUE(gen.ok()) << gen.status().ToString();
  if (!gen.ok()) return {};
  generators::GeneratedRecord r;
  for (int i = 0; i < count; ++i) {
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

void ExpectSameOutputs(const std::string& name, const std::string& json_serde, const std::string& proto_serde,
                       const std::map<std::string, std::string>& params, const std::vector<std::string>& must_have) {
  const std::string json = ReadFile(std::string(STREAMAPP_SOURCE_DIR) + "/topologies/" + name + ".yaml");
  const size_t at = json.find(json_serde);
  ASSERT_NE(at, std::string::npos) << json_serde;
  std::string proto = json;
  proto.replace(at, json_serde.size(), proto_serde);

  const auto from_json = Run(json, name, generators::Format::kJson, params, 3000);
  const auto from_proto = Run(proto, name, generators::Format::kProtobuf, params, 3000);
  EXPECT_EQ(from_json, from_proto);
  for (const std::string& topic : must_have) {
    const bool found = std::any_of(from_json.begin(), from_json.end(),
                                   [&](const std::string& line) { return line.rfind(topic + " ", 0) == 0; });
    EXPECT_TRUE(found) << "no output on " << topic;
  }
}

TEST(TelemetryProtobuf, ClickstreamGivesTheSameOutputsFromProtobufAsFromJson) {
  ExpectSameOutputs("clickstream", "value: json                  # or protobuf:streamapp.pipelines.Click",
                    "value: protobuf:streamapp.pipelines.Click", {},
                    {"clickstream.pageviews.1m", "clickstream.sessions", "clickstream.unique_users.1m"});
}

TEST(TelemetryProtobuf, IotGivesTheSameOutputsFromProtobufAsFromJson) {
  ExpectSameOutputs("iot", "value: json                  # or protobuf:streamapp.pipelines.Reading",
                    "value: protobuf:streamapp.pipelines.Reading",
                    {{"devices", "10"}, {"silence_probability", "0.01"}, {"dying_ratio", "0.3"}},
                    {"iot.device_stats.1m", "iot.site_stats.1m", "iot.alerts"});
}

}  // namespace
}  // namespace streamapp
