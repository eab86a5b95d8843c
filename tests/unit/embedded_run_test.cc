// `stream-app run --embedded`: the crypto pipeline with its generator on the
// in-process cluster, no broker (docs/embedded.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "streamapp/generators/generator.h"
#include "streamapp/serde.h"
#include "streamapp/value.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

constexpr uint64_t kSeed = 7;
constexpr uint64_t kTrades = 12000;  // ~4 minutes of event time (mean gap 20 ms)

Value ParseJson(const std::string& text) {
  static auto serde = *MakeSerde("json", {});
  Value v;
  Status st = serde->Deserialize(text, &v);
  EXPECT_TRUE(st.ok()) << st.message() << ": " << text;
  return v;
}

// The record count the summary printed for `topic`, or -1.
int64_t PrintedCount(const std::string& output, const std::string& topic) {
  std::smatch m;
  const std::regex re("\n" + std::regex_replace(topic, std::regex("\\."), "\\.") + ": ([0-9]+) records");
  return std::regex_search(output, m, re) ? std::stoll(m[1].str()) : -1;
}

// The values the summary printed under `topic`.
std::vector<std::string> PrintedValues(const std::string& output, const std::string& topic) {
  std::vector<std::string> values;
  std::istringstream in(output.substr(output.find("== results")));
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.starts_with("  ")) {
      inside = line.starts_with(topic + ": ");
      continue;
    }
    const size_t at = line.find(" value=");
    if (inside && at != std::string::npos) values.push_back(line.substr(at + 7));
  }
  return values;
}

// 1m candles the run must have closed: one per (symbol, minute) with a
// trade, whose window end + 10 s grace stream time reached. With one
// partition per topic, stream time is the latest trade's event time. The
// pair: windows closed strictly before it, and at it (the boundary rule).
std::pair<int64_t, int64_t> ExpectedCandles() {
  generators::GeneratorOptions o;
  o.seed = kSeed;
  auto g = std::move(generators::MakeGenerator("crypto", o)).value();
  generators::GeneratedRecord rec;
  std::set<std::pair<std::string, int64_t>> windows;
  int64_t stream_time = 0;
  for (uint64_t n = 0; n < kTrades;) {
    g->Next(rec);
    if (!rec.primary) continue;
    ++n;
    windows.insert({rec.key, rec.timestamp / 60000});
    stream_time = std::max(stream_time, rec.timestamp);
  }
  int64_t before = 0, at = 0;
  for (const auto& [symbol, minute] : windows) {
    const int64_t close = (minute + 1) * 60000 + 10000;
    before += close < stream_time ? 1 : 0;
    at += close <= stream_time ? 1 : 0;
  }
  return {before, at};
}

TEST(EmbeddedRun, CryptoPipelineWithItsGeneratorPrintsCandlesWithoutABroker) {
  const std::string cmd = std::string(STREAM_APP_BINARY) + " run --embedded --topology " + STREAMAPP_SOURCE_DIR +
                          "/topologies/crypto.yaml --generate crypto --count " + std::to_string(kTrades) + " --seed " +
                          std::to_string(kSeed) + " --partitions 1 --seconds 300 --log-level warn";
  testing::CommandRun r = testing::RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: embedded mode does not honour exactly-once"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the generator finished and the application processed every record"), std::string::npos)
      << r.output;
  ASSERT_NE(r.output.find("== results"), std::string::npos) << r.output;

  const auto [low, high] = ExpectedCandles();
  const int64_t candles = PrintedCount(r.output, "crypto.ohlcv.1m");
  EXPECT_GT(low, 0);
  EXPECT_GE(candles, low) << r.output;
  EXPECT_LE(candles, high) << r.output;
  EXPECT_GT(PrintedCount(r.output, "crypto.indicators.1m"), 0) << r.output;
  EXPECT_EQ(PrintedCount(r.output, "crypto.dlq"), 0) << r.output;

  const std::vector<std::string> shown = PrintedValues(r.output, "crypto.ohlcv.1m");
  ASSERT_EQ(shown.size(), 5u) << r.output;
  for (const std::string& text : shown) {
    Value v = ParseJson(text);
    ASSERT_TRUE(v.is_object()) << text;
    for (const char* field : {"window_start", "window_end", "open", "high", "low", "close", "volume", "trade_count"}) {
      ASSERT_NE(v.Find(field), nullptr) << field << " in " << text;
    }
    EXPECT_EQ(v.Find("window_end")->as_int() - v.Find("window_start")->as_int(), 60000) << text;
    EXPECT_LE(v.Find("low")->as_number(), v.Find("open")->as_number()) << text;
    EXPECT_LE(v.Find("low")->as_number(), v.Find("close")->as_number()) << text;
    EXPECT_GE(v.Find("high")->as_number(), v.Find("open")->as_number()) << text;
    EXPECT_GE(v.Find("high")->as_number(), v.Find("close")->as_number()) << text;
    EXPECT_GT(v.Find("trade_count")->as_int(), 0) << text;
  }
}

TEST(EmbeddedRun, HelpStatesThatExactlyOnceIsNotHonoured) {
  testing::CommandRun r = testing::RunCommand(std::string(STREAM_APP_BINARY) + " run --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--embedded"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("does not honour exactly-once"), std::string::npos) << r.output;
}

TEST(EmbeddedRun, GeneratorOptionsNeedEmbedded) {
  testing::CommandRun r = testing::RunCommand(std::string(STREAM_APP_BINARY) + " run --topology " +
                                              STREAMAPP_SOURCE_DIR + "/topologies/crypto.yaml --generate crypto");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("need --embedded"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace streamapp
