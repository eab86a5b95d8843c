// The .proto files in proto/streamapp/pipelines/ describe every record the
// shipped pipelines write, not only what they read: generated input goes
// through each shipped topology, and every output record must encode as the
// Protobuf message its topic is documented with. A field the topology adds,
// renames or types differently from the schema fails here.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "streamapp/generators/generator.h"
#include "streamapp/serde.h"
#include "streamapp/test_driver.h"
#include "streamapp/topology_file.h"

namespace streamapp {
namespace {

struct PipelineSchemas {
  std::string topology;  // topologies/<name>.yaml, fed by the generator of the same name
  std::map<std::string, std::string> generator_params;
  int records = 0;
  std::map<std::string, std::string> messages;  // output topic -> message in streamapp.pipelines
};

void PrintTo(const PipelineSchemas& p, std::ostream* os) {
  *os << p.topology;
}

class PipelineSchemasTest : public ::testing::TestWithParam<PipelineSchemas> {};

TEST_P(PipelineSchemasTest, EveryOutputRecordEncodesAsItsTopicsMessage) {
  const PipelineSchemas& p = GetParam();
  const std::string root = STREAMAPP_SOURCE_DIR;
  LoadResult loaded = LoadTopologyFile(root + "/topologies/" + p.topology + ".yaml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors.front().ToString();
  TestDriverOptions options;
  options.application_id = loaded.loaded->app.application_id;
  options.dlq_topic = loaded.loaded->app.dlq_topic;
  auto driver = TopologyTestDriver::Create(loaded.loaded->topology, options);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();

  generators::GeneratorOptions g;
  g.seed = 11;
  g.bad_ratio = 0.05;  // malformed input goes to the DLQ, never half-typed to an output
  g.params = p.generator_params;
  auto gen = generators::MakeGenerator(p.topology, g);
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  generators::GeneratedRecord r;
  for (int i = 0; i < p.records; ++i) {
    (*gen)->Next(r);
    ASSERT_TRUE((*driver)->Pipe(std::string(r.topic), r.key, r.value, r.timestamp).ok());
  }

  SerdeOptions serde_options;
  serde_options.proto_paths = {root + "/proto"};
  std::map<std::string, std::shared_ptr<const Serde>> serdes;
  for (const auto& [topic, message] : p.messages) {
    auto serde = MakeSerde("protobuf:streamapp.pipelines." + message, serde_options);
    ASSERT_TRUE(serde.ok()) << serde.status().ToString();
    serdes[topic] = *serde;
  }

  std::map<std::string, int> encoded;
  std::set<std::string> unmapped;
  for (const TestRecord& o : (*driver)->outputs()) {
    if (o.topic == options.dlq_topic) continue;  // dead letters keep the input's bytes
    auto value = (*driver)->DecodeValue(o);
    ASSERT_TRUE(value.ok()) << value.status().ToString();
    if (value->is_null()) continue;  // a tombstone has no schema
    auto it = serdes.find(o.topic);
    if (it == serdes.end()) {
      if (unmapped.insert(o.topic).second)
        ADD_FAILURE() << "no message for " << o.topic << ", e.g. " << value->ToJson();
      continue;
    }
    std::string bytes;
    Status st = it->second->Serialize(*value, &bytes);
    ASSERT_TRUE(st.ok()) << o.topic << ": " << st.ToString() << "\n  " << value->ToJson();
    ++encoded[o.topic];
  }
  for (const auto& [topic, message] : p.messages) {
    EXPECT_GT(encoded[topic], 0) << "no record on " << topic << " (" << message << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedTopologies, PipelineSchemasTest,
                         ::testing::Values(PipelineSchemas{"crypto",
                                                           {{"trade_gap_ms", "3000"}},
                                                           60000,
                                                           {{"crypto.trades.clean", "CleanTrade"},
                                                            {"crypto.ohlcv.1m", "Candle"},
                                                            {"crypto.ohlcv.5m", "Candle"},
                                                            {"crypto.ohlcv.15m", "Candle"},
                                                            {"crypto.ohlcv.1h", "Candle"},
                                                            {"crypto.ohlcv.4h", "Candle"},
                                                            {"crypto.ohlcv.1d", "Candle"},
                                                            {"crypto.indicators.1m", "CandleIndicators"},
                                                            {"crypto.alerts", "Alert"},
                                                            {"crypto.tickers.averages", "TickerAverages"},
                                                            {"crypto.tickers.volume_change", "VolumeChange"},
                                                            {"crypto.market_cap_share", "MarketCapShare"}}},
                                           PipelineSchemas{"sales",
                                                           {{"order_gap_ms", "30000"}},
                                                           8000,
                                                           {{"sales.orders.bronze", "BronzeOrder"},
                                                            {"sales.client_stats", "ClientStats"},
                                                            {"sales.country_revenue.1h", "CountryRevenue"},
                                                            {"sales.category_revenue.1d", "CategoryRevenue"},
                                                            {"sales.client_segments", "ClientSegment"},
                                                            {"sales.loyal_clients", "LoyalClient"},
                                                            {"sales.top_clients.1h", "TopClients"}}},
                                           PipelineSchemas{"clickstream",
                                                           {},
                                                           6000,
                                                           {{"clickstream.pageviews.1m", "PageViews"},
                                                            {"clickstream.sessions", "Session"},
                                                            {"clickstream.unique_users.1m", "UniqueUsers"}}},
                                           PipelineSchemas{"iot",
                                                           {{"silence_probability", "0.01"}, {"dying_ratio", "0.3"}},
                                                           6000,
                                                           {{"iot.device_stats.1m", "DeviceStats"},
                                                            {"iot.site_stats.1m", "SiteStats"},
                                                            {"iot.alerts", "IotAlert"}}},
                                           PipelineSchemas{"fraud",
                                                           {},
                                                           6000,
                                                           {{"transactions-validated-v1", "Transaction"},
                                                            {"transactions-enriched-v1", "EnrichedTransaction"},
                                                            {"fraud-predictions-v1", "FraudPrediction"},
                                                            {"fraud-alerts-v1", "FraudPrediction"}}}),
                         [](const ::testing::TestParamInfo<PipelineSchemas>& param_info) {
                           return param_info.param.topology;
                         });

}  // namespace
}  // namespace streamapp
