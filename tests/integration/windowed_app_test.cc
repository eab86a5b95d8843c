// Windowed aggregations on the real broker: a crafted input with
// out-of-order and late records; every window emitted (emit: final) must be
// the expected one, and late records are dropped and counted.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <regex>
#include <set>

#include "streamapp/serde.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
// (key, window start, window end) -> value
using Windows = std::map<std::tuple<std::string, int64_t, int64_t>, int64_t>;

constexpr int64_t B = 100000;  // keeps every window start positive

struct In {
  int64_t ts;
  int64_t n;
};
// Out of order: 8000 arrives after 12000 (within grace); 9000 arrives after
// stream time 21000, when its windows have closed (late).
const std::vector<In> kInput = {{1000, 1}, {3000, 2}, {12000, 3}, {8000, 4}, {21000, 5}, {9000, 6}, {30000, 7}};

// Windows emitted per topic. All topics are read at once: each read waits
// for 5 s of silence to be sure nothing more comes.
std::map<std::string, Windows> ReadWindows(const std::vector<std::string>& topics) {
  std::map<std::string, Windows> all;
  auto json = *MakeSerde("json", {});
  for (const auto& m : testing::ReadAll(topics, 100000, "read_uncommitted", 5s)) {
    Windows& out = all[m.topic];
    Value v;
    EXPECT_TRUE(json->Deserialize(*m.value, &v).ok());
    auto key = std::make_tuple(*m.key, v.Find("window_start")->as_int(), v.Find("window_end")->as_int());
    EXPECT_FALSE(out.count(key)) << "window emitted twice: " << *m.value;
    out[key] = v.Find("value")->as_int();
  }
  return all;
}

TEST(WindowedApp, TumblingHoppingSlidingAndSessionWindowsEmitExactlyTheExpectedWindows) {
  const std::string app = testing::FreshName("app");
  const std::string in = testing::CreateFreshTopic("events", 1);
  std::map<std::string, std::string> out;
  for (const char* name : {"tumbling-count", "tumbling-sum", "hopping-count", "hopping-sum", "sliding-count",
                           "sliding-sum", "session-count", "session-sum"}) {
    out[name] = testing::CreateFreshTopic(name, 1);
  }
  std::string yaml = "version: 1\napplication:\n  id: " + app + "\nstreams:\n  events:\n    topic: " + in +
                     "\n    value: json\n    timestamp: {field: ts}\npipelines:\n";
  const std::map<std::string, std::string> windows = {{"tumbling", "{tumbling: 10s, grace: 5s}"},
                                                      {"hopping", "{hopping: 10s, advance: 5s, grace: 5s}"},
                                                      {"sliding", "{sliding: 10s, grace: 5s}"},
                                                      {"session", "{session: 5s, grace: 5s}"}};
  for (const auto& [kind, window] : windows) {
    for (const std::string op : {"count", "sum"}) {
      const std::string name = kind + "-" + op;
      yaml += "  " + name + ":\n    from: events\n    steps:\n      - aggregate: {op: " + op +
              (op == "sum" ? ", field: n" : "") + ", window: " + window +
              ", emit: final}\n      - to: {topic: " + out[name] + ", key: string, value: json}\n";
    }
  }
  const std::string dir = testing::MakeTempDir("streamapp-window-it");
  testing::WriteFile(dir + "/windows.yaml", yaml);

  auto producer = kafka::MakeProducer(testing::BaseConfig());
  ASSERT_TRUE(producer.ok());
  auto send = [&](const std::string& key, int64_t ts, int64_t n) {
    const std::string value = "{\"ts\":" + std::to_string(ts) + ",\"n\":" + std::to_string(n) + "}";
    kafka::OutboundMessage m;
    m.topic = in;
    m.key = std::string_view(key);
    m.value = std::string_view(value);
    ASSERT_TRUE((*producer)->Send(m).ok());
  };
  for (const In& r : kInput) send("k", B + r.ts, r.n);
  send("z", B + 200000, 0);  // advances stream time past every window of "k"
  ASSERT_TRUE((*producer)->Flush(30s).ok());

  ChildProcess worker(
      {STREAM_APP_BINARY, "run", "--topology", dir + "/windows.yaml", "--bootstrap-servers", testing::Bootstrap(),
       "--state-dir", dir + "/state", "--set", "commit.interval.ms=200", "--set", "metrics.log.interval.ms=300"},
      dir + "/worker.log");
  ASSERT_TRUE(worker.WaitForLog("processed 8,", 120s)) << worker.Log();
  std::this_thread::sleep_for(1s);
  worker.Signal(SIGTERM);
  ASSERT_EQ(worker.Wait(60s), 0) << worker.Log();

  std::vector<std::string> topics;
  for (const auto& [name, topic] : out) topics.push_back(topic);
  std::map<std::string, Windows> emitted = ReadWindows(topics);
  auto Read = [&](const std::string& topic) { return emitted[topic]; };

  const Windows tumbling_count = {{{"k", B + 0, B + 10000}, 3},
                                  {{"k", B + 10000, B + 20000}, 1},
                                  {{"k", B + 20000, B + 30000}, 1},
                                  {{"k", B + 30000, B + 40000}, 1}};
  const Windows tumbling_sum = {{{"k", B + 0, B + 10000}, 7},
                                {{"k", B + 10000, B + 20000}, 3},
                                {{"k", B + 20000, B + 30000}, 5},
                                {{"k", B + 30000, B + 40000}, 7}};
  EXPECT_EQ(Read(out["tumbling-count"]), tumbling_count);
  EXPECT_EQ(Read(out["tumbling-sum"]), tumbling_sum);

  Windows hopping_count, hopping_sum;
  const std::vector<std::tuple<int64_t, int64_t, int64_t>> hopping = {{-5000, 2, 3}, {0, 3, 7},     {5000, 2, 7},
                                                                      {10000, 1, 3}, {15000, 1, 5}, {20000, 1, 5},
                                                                      {25000, 1, 7}, {30000, 1, 7}};
  for (const auto& [start, count, sum] : hopping) {
    hopping_count[{"k", B + start, B + start + 10000}] = count;
    hopping_sum[{"k", B + start, B + start + 10000}] = sum;
  }
  EXPECT_EQ(Read(out["hopping-count"]), hopping_count);
  EXPECT_EQ(Read(out["hopping-sum"]), hopping_sum);

  // Sliding windows (Kafka Streams' SlidingWindows, both ends inclusive):
  // each record's left window [t - 10 s, t], and right windows [t + 1 ms,
  // t + 10 s + 1 ms] where a later record falls. 9000 updates the one open
  // window that contains it and opens its right window, so it is not dropped.
  Windows sliding_count, sliding_sum;
  const std::vector<std::tuple<int64_t, int64_t, int64_t>> sliding = {
      {-9000, 1, 1}, {-7000, 2, 3}, {-2000, 3, 7}, {1001, 2, 6},  {2000, 3, 9},   {3001, 2, 7},
      {8001, 2, 9},  {9001, 1, 3},  {11000, 2, 8}, {12001, 1, 5}, {20000, 2, 12}, {21001, 1, 7}};
  for (const auto& [start, count, sum] : sliding) {
    sliding_count[{"k", B + start, B + start + 10000}] = count;
    sliding_sum[{"k", B + start, B + start + 10000}] = sum;
  }
  EXPECT_EQ(Read(out["sliding-count"]), sliding_count);
  EXPECT_EQ(Read(out["sliding-sum"]), sliding_sum);

  // Sessions (gap 5 s, grace 5 s; a session closes at end + gap + grace):
  // {1000, 3000}; 12000 opens a new one; the out-of-order 8000 is within the
  // gap of both and merges them (stream time 12000, close time 2000); 21000
  // is more than the gap after 12000: a session of its own; 9000 (close time
  // 11000) joins the still-open {1000, 12000}; 30000 is alone.
  const Windows session_count = {
      {{"k", B + 1000, B + 12000}, 5}, {{"k", B + 21000, B + 21000}, 1}, {{"k", B + 30000, B + 30000}, 1}};
  const Windows session_sum = {
      {{"k", B + 1000, B + 12000}, 16}, {{"k", B + 21000, B + 21000}, 5}, {{"k", B + 30000, B + 30000}, 7}};
  EXPECT_EQ(Read(out["session-count"]), session_count);
  EXPECT_EQ(Read(out["session-sum"]), session_sum);

  // The record at 9000 is late for the tumbling and hopping windows of both
  // aggregations: 4 drops, counted in the worker's log.
  std::smatch m;
  const std::string log = worker.Log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(late-dropped (\d+);[^\n]*tasks: \(none\))"))) << log;
  EXPECT_EQ(std::stoll(m[1]), 4);
}

}  // namespace
}  // namespace streamapp
