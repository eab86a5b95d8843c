// The silence operator (operators/src/telemetry/silence_operator.cc): every
// gap between a key's records longer than the timeout gives exactly one
// alert, whatever the punctuation interval (the punctuator reports a key
// while it is silent, the returning record reports a gap no punctuation
// saw), through restarts. tests/fixtures/iot.yaml has the single cases.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>

#include "streamapp/test_driver.h"
#include "streamapp/topology_file.h"

namespace streamapp {
namespace {

constexpr int64_t kTimeout = 300000;

struct Reading {
  std::string key;
  int64_t ts;
};

// A deterministic stream of three keys in time order: short steps, and
// now and then one key left out for a while (sometimes longer than the
// timeout); at the end every key reports once more.
std::vector<Reading> Readings() {
  std::vector<Reading> out;
  uint64_t state = 42;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  int64_t t = 1767225600000;
  int64_t asleep_until[3] = {0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    t += 1000 + static_cast<int64_t>(next(20000));
    const size_t k = next(3);
    if (t < asleep_until[k]) continue;
    if (next(100) == 0) asleep_until[k] = t + static_cast<int64_t>(next(2 * kTimeout));
    out.push_back({"k" + std::to_string(k), t});
  }
  t += 1000;
  for (int k = 0; k < 3; ++k) out.push_back({"k" + std::to_string(k), t});
  return out;
}

// (key, last_seen) of every alert, with the run's still_silent counts.
std::set<std::pair<std::string, int64_t>> Alerts(const std::string& interval, bool restart, int* by_punctuation) {
  const std::string text = R"(version: 1
application: {id: silence-test}
streams:
  readings: {topic: readings, timestamp: {field: ts}}
pipelines:
  silent:
    from: readings
    steps:
      - silence: {timeout: 5m, interval: )" +
                           interval + R"(}
      - to: alerts
)";
  LoadResult loaded = LoadTopologyText(text, "silence.yaml", ".");
  EXPECT_TRUE(loaded.loaded.has_value());
  if (!loaded.loaded) return {};
  auto driver = TopologyTestDriver::Create(loaded.loaded->topology, {});
  EXPECT_TRUE(driver.ok()) << driver.status().ToString();
  if (!driver.ok()) return {};
  const std::vector<Reading> readings = Readings();
  for (size_t i = 0; i < readings.size(); ++i) {
    if (restart && i == readings.size() / 2) {
      EXPECT_TRUE((*driver)->Restart(RestartMode::kWipeState).ok());
    }
    Value v = Value::MakeObject();
    v.Set("ts", readings[i].ts);
    EXPECT_TRUE((*driver)->PipeValues("readings", Value(readings[i].key), v, readings[i].ts).ok());
  }
  std::set<std::pair<std::string, int64_t>> out;
  *by_punctuation = 0;
  for (const TestRecord& r : (*driver)->ReadOutput("alerts")) {
    Value key = *(*driver)->DecodeKey(r);
    Value value = *(*driver)->DecodeValue(r);
    const int64_t last_seen = value.Find("last_seen")->as_int();
    EXPECT_GT(value.Find("detected_at")->as_int() - last_seen, kTimeout);
    EXPECT_TRUE(out.insert({key.as_string(), last_seen}).second) << "two alerts for one silence";
    *by_punctuation += value.Find("still_silent")->as_bool() ? 1 : 0;
  }
  return out;
}

TEST(TelemetrySilence, EveryGapLongerThanTheTimeoutGivesOneAlertWhateverTheInterval) {
  std::set<std::pair<std::string, int64_t>> expected;
  std::map<std::string, int64_t> last;
  for (const Reading& r : Readings()) {
    if (last.count(r.key) && r.ts - last[r.key] > kTimeout) expected.insert({r.key, last[r.key]});
    last[r.key] = r.ts;
  }
  ASSERT_GE(expected.size(), 5u) << "the data should have silences";

  int fine = 0, coarse = 0, restarted = 0;
  EXPECT_EQ(Alerts("1s", false, &fine), expected);
  // An interval longer than the timeout: most gaps end before a punctuation.
  EXPECT_EQ(Alerts("20m", false, &coarse), expected);
  EXPECT_EQ(Alerts("30s", true, &restarted), expected);
  // Both paths ran: the fine interval reports most silences while they last,
  // the coarse one leaves more to the returning record.
  EXPECT_GT(fine, coarse);
  EXPECT_LT(coarse, static_cast<int>(expected.size()));
}

}  // namespace
}  // namespace streamapp
