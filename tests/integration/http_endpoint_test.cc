// The worker's HTTP endpoint on the real broker: `stream-app run` with
// http.port set serves Prometheus metrics with the documented families,
// /ready once its tasks run, the topology, and interactive queries that
// return what the store's changelog holds for a key.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <thread>

#include "observe/http_handlers.h"
#include "state/stores.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using ::testing::HasSubstr;

constexpr int kPartitions = 3;
constexpr int kRecords = 3000;
constexpr int kKeys = 50;

// A port nothing listens on right now (the kernel's pick for port 0).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The value of the sample `series` (name and labels as rendered), or -1.
double Sample(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

class HttpEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = testing::FreshName("app");
    dir_ = testing::MakeTempDir("streamapp-http-it");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string WriteWordCount(const std::string& in, const std::string& out) {
    const std::string path = dir_ + "/count.yaml";
    testing::WriteFile(path, "version: 1\napplication:\n  id: " + app_ + "\nstreams:\n  words: {topic: " + in +
                                 ", key: string, value: string}\n  counts: {topic: " + out +
                                 ", key: string, value: json}\npipelines:\n  count:\n    from: words\n"
                                 "    steps:\n      - groupBy: \"$value\"\n      - count: {store: word-counts}\n"
                                 "      - to: counts\n");
    return path;
  }

  std::unique_ptr<ChildProcess> StartWorker(const std::string& topology, const std::string& name, int port) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{STREAM_APP_BINARY, "run", "--topology", topology, "--bootstrap-servers",
                                 testing::Bootstrap(), "--state-dir", dir_ + "/" + name, "--set",
                                 "commit.interval.ms=200", "--set", "kafka.session.timeout.ms=6000", "--set",
                                 "http.port=" + std::to_string(port)},
        dir_ + "/" + name + ".log");
  }

  // The last value per key of the changelog once it holds `expected` counts.
  std::map<std::string, std::string> WaitForChangelog(const std::map<std::string, int64_t>& expected) {
    std::map<std::string, std::string> last;
    for (auto deadline = std::chrono::steady_clock::now() + 120s; std::chrono::steady_clock::now() < deadline;) {
      last.clear();
      for (const auto& m : testing::ReadAll({app_ + "-word-counts-changelog"}, SIZE_MAX, "read_uncommitted", 2s)) {
        if (m.key && m.value) last[*m.key] = *m.value;
      }
      bool complete = last.size() == expected.size();
      for (const auto& [k, n] : expected) complete = complete && last.count(k) && last[k] == std::to_string(n);
      if (complete) break;
    }
    return last;
  }

  static std::map<std::string, int64_t> ProduceWords(const std::string& topic, int records, int keys) {
    std::map<std::string, int64_t> expected;
    auto producer = kafka::MakeProducer(testing::BaseConfig());
    EXPECT_TRUE(producer.ok());
    if (!producer.ok()) return expected;
    for (int i = 0; i < records; ++i) {
      const std::string word = "w" + std::to_string((i * 7919) % keys);
      ++expected[word];
      kafka::OutboundMessage m;
      m.topic = topic;
      m.key = std::string_view(word);
      m.value = std::string_view(word);
      EXPECT_TRUE((*producer)->Send(m).ok());
    }
    EXPECT_TRUE((*producer)->Flush(60s).ok());
    return expected;
  }

  std::string app_, dir_;
};

TEST_F(HttpEndpointTest, MetricsReadinessTopologyAndInteractiveQueries) {
  const std::string in = testing::CreateFreshTopic("words", kPartitions);
  const std::string out = testing::CreateFreshTopic("counts", kPartitions);
  const std::string topology = WriteWordCount(in, out);
  const auto expected = ProduceWords(in, kRecords, kKeys);
  const int port = FreePort();
  ASSERT_GT(port, 0);
  auto worker_ptr = StartWorker(topology, "worker", port);
  ChildProcess& worker = *worker_ptr;
  ASSERT_TRUE(worker.WaitForLog("HTTP endpoint listening on http://127.0.0.1:" + std::to_string(port), 60s))
      << worker.Log();
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(10, 0);

  auto health = http.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  // Ready once the group assigned the tasks and their stores are restored.
  int ready_status = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 120s; std::chrono::steady_clock::now() < deadline;) {
    auto r = http.Get("/ready");
    ready_status = r ? r->status : 0;
    if (ready_status == 200) break;
    EXPECT_TRUE(!r || r->status == 503) << (r ? r->body : "no answer");
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(ready_status, 200) << worker.Log();

  // Every input record is counted as consumed from the input topic.
  const std::string consumed = "streamapp_records_consumed_total{topic=\"" + in + "\"}";
  std::string metrics;
  for (auto deadline = std::chrono::steady_clock::now() + 120s; std::chrono::steady_clock::now() < deadline;) {
    auto r = http.Get("/metrics");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    metrics = r->body;
    if (Sample(metrics, consumed) >= kRecords) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(Sample(metrics, consumed), kRecords) << metrics;
  // The changelog holds the final counts once everything is committed.
  auto last = WaitForChangelog(expected);
  ASSERT_EQ(last.size(), expected.size());

  // Everything processed and committed: the output side is counted too.
  auto scrape = http.Get("/metrics");
  ASSERT_TRUE(scrape);
  metrics = scrape->body;
  EXPECT_EQ(Sample(metrics, consumed), kRecords) << metrics;  // nothing consumed twice
  for (const char* family : {"records_consumed_total",
                             "records_produced_total",
                             "records_processed_total",
                             "operator_records_total",
                             "operator_process_seconds",
                             "record_e2e_latency_seconds",
                             "commit_latency_seconds",
                             "consumer_lag_records",
                             "restore_records_total",
                             "restore_remaining_records",
                             "late_records_dropped_total",
                             "dlq_records_total",
                             "transactions_committed_total",
                             "transactions_aborted_total",
                             "rebalances_total",
                             "store_estimated_keys",
                             "store_disk_bytes",
                             "rocksdb_memory_usage_bytes",
                             "rocksdb_memory_budget_bytes",
                             "rocksdb_memtable_bytes",
                             "rocksdb_live_data_bytes",
                             "tasks"}) {
    EXPECT_THAT(metrics, HasSubstr("# TYPE streamapp_" + std::string(family) + " ")) << family;
  }
  EXPECT_GT(Sample(metrics, "streamapp_records_produced_total{topic=\"" + out + "\"}"), 0) << metrics;
  EXPECT_GE(Sample(metrics, "streamapp_rebalances_total"), 1) << metrics;
  EXPECT_EQ(Sample(metrics, "streamapp_operator_records_total{operator=\"stream.words\"}"), kRecords) << metrics;
  EXPECT_EQ(Sample(metrics, "streamapp_operator_records_total{operator=\"count.1-count\"}"), kRecords) << metrics;
  EXPECT_EQ(Sample(metrics, "streamapp_restore_remaining_records{store=\"word-counts\",partition=\"0\"}"), 0)
      << metrics;
  EXPECT_THAT(metrics, HasSubstr("streamapp_consumer_lag_records{topic=\"" + in + "\",partition=\"0\"}"));
  EXPECT_THAT(metrics, HasSubstr("streamapp_store_estimated_keys{store=\"word-counts\",partition="));
  EXPECT_THAT(metrics, HasSubstr("streamapp_rocksdb_memtable_bytes{store=\"word-counts\",partition="));
  EXPECT_GT(Sample(metrics, "streamapp_commit_latency_seconds_count"), 0) << metrics;

  // Interactive queries answer what the changelog holds for each key.
  for (const auto& [key, value] : last) {
    auto r = http.Get("/stores/word-counts/" + key);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << key << ": " << r->body;
    EXPECT_THAT(r->body, HasSubstr("\"key\": \"" + key + "\", \"value\": " + value + ", \"partition\": ")) << key;
  }
  auto missing = http.Get("/stores/word-counts/no-such-word");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(missing->body, HasSubstr("no value for the key"));
  auto no_store = http.Get("/stores/nope/w1");
  ASSERT_TRUE(no_store);
  EXPECT_EQ(no_store->status, 404);
  EXPECT_THAT(no_store->body, HasSubstr("word-counts"));  // names the stores there are

  // A range over every task of the store: w10..w19 (inclusive bounds).
  auto range = http.Get("/stores/word-counts?from=w10&to=w19");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->status, 200) << range->body;
  for (int i = 10; i <= 19; ++i) {
    const std::string key = "w" + std::to_string(i);
    EXPECT_THAT(range->body, HasSubstr("{\"key\": \"" + key + "\", \"value\": " + last[key] + "}")) << key;
  }
  EXPECT_THAT(range->body, ::testing::Not(HasSubstr("\"w2\"")));

  // The topology is what `stream-app describe --format json` prints.
  ChildProcess describe({STREAM_APP_BINARY, "describe", topology, "--format", "json"}, dir_ + "/describe.json");
  ASSERT_EQ(describe.Wait(30s), 0);
  auto topo = http.Get("/topology");
  ASSERT_TRUE(topo);
  EXPECT_EQ(topo->status, 200);
  EXPECT_EQ(topo->body, describe.Log());

  worker.Signal(SIGTERM);
  auto code = worker.Wait(120s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << worker.Log();
}

// Two workers split the partitions: for every key exactly one answers with
// the changelog's value; the other names the key's partition and its owner.
TEST_F(HttpEndpointTest, AKeyHostedByAnotherWorkerNamesItsPartitionAndOwner) {
  const std::string in = testing::CreateFreshTopic("words", 2);
  const std::string out = testing::CreateFreshTopic("counts", 2);
  const std::string topology = WriteWordCount(in, out);
  const auto expected = ProduceWords(in, 400, 12);
  const int port_a = FreePort(), port_b = FreePort();
  ASSERT_TRUE(port_a > 0 && port_b > 0 && port_a != port_b);
  auto a = StartWorker(topology, "a", port_a);
  auto b = StartWorker(topology, "b", port_b);
  const auto last = WaitForChangelog(expected);
  ASSERT_EQ(last.size(), expected.size());
  httplib::Client ha("127.0.0.1", port_a), hb("127.0.0.1", port_b);
  ha.set_read_timeout(10, 0);
  hb.set_read_timeout(10, 0);

  for (const auto& [key, value] : last) {
    std::string seen;
    bool ok = false;
    // Until both workers are ready with their share (the group may still rebalance).
    for (auto deadline = std::chrono::steady_clock::now() + 90s; !ok && std::chrono::steady_clock::now() < deadline;) {
      auto ra = ha.Get("/stores/word-counts/" + key);
      auto rb = hb.Get("/stores/word-counts/" + key);
      if (ra && rb && (ra->status == 200) != (rb->status == 200)) {
        const auto& hit = ra->status == 200 ? ra : rb;
        const auto& miss = ra->status == 200 ? rb : ra;
        seen = hit->body + " / " + miss->body;
        ok = miss->status == 404 && hit->body.find("\"value\": " + value + ",") != std::string::npos &&
             miss->body.find("\"partition\": ") != std::string::npos &&
             miss->body.find("\"owner\": \"" + app_) != std::string::npos &&
             miss->body.find("StreamThread-1") != std::string::npos;
      } else {
        seen = std::string(ra ? ra->body : "no answer") + " / " + (rb ? rb->body : "no answer");
      }
      if (!ok) std::this_thread::sleep_for(200ms);
    }
    EXPECT_TRUE(ok) << key << ": " << seen;
  }
  a->Signal(SIGTERM);
  b->Signal(SIGTERM);
  EXPECT_TRUE(a->Wait(120s).has_value());
  EXPECT_TRUE(b->Wait(120s).has_value());
}

// A window store answers /stores/<store>/<key>?from=&to= with the key's
// windows, each as its changelog holds it.
TEST_F(HttpEndpointTest, WindowQueriesReturnTheChangelogsWindows) {
  const std::string in = testing::CreateFreshTopic("words", 2);
  const std::string out = testing::CreateFreshTopic("counts", 2);
  const std::string topology = dir_ + "/windows.yaml";
  testing::WriteFile(topology, "version: 1\napplication:\n  id: " + app_ + "\nstreams:\n  words: {topic: " + in +
                                   ", key: string, value: string}\n  counts: {topic: " + out +
                                   ", key: string, value: json}\npipelines:\n  count:\n    from: words\n"
                                   "    steps:\n      - groupBy: \"$value\"\n"
                                   "      - count: {store: word-windows, window: {tumbling: 10s, grace: 5s}}\n"
                                   "      - to: counts\n");
  const auto expected = ProduceWords(in, 300, 6);
  const int port = FreePort();
  ASSERT_GT(port, 0);
  auto worker = StartWorker(topology, "worker", port);

  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(10, 0);
  // key -> window start -> the stored window record, from the changelog;
  // and whether every key's answer lists exactly those windows. Repeated
  // until the last commit landed (the store may be ahead of the changelog
  // until then).
  std::map<std::string, std::map<int64_t, std::string>> windows;
  std::string mismatch = "no changelog yet";
  for (auto deadline = std::chrono::steady_clock::now() + 120s;
       !mismatch.empty() && std::chrono::steady_clock::now() < deadline;) {
    windows.clear();
    for (const auto& m : testing::ReadAll({app_ + "-word-windows-changelog"}, SIZE_MAX, "read_uncommitted", 2s)) {
      std::string key;
      int64_t start = 0;
      if (!m.key || !state::DecodeWindowKey(*m.key, &key, &start)) continue;
      if (m.value) {
        windows[key][start] = *m.value;
      } else {
        windows[key].erase(start);
      }
    }
    mismatch = windows.size() == expected.size() ? "" : "keys missing in the changelog";
    for (const auto& [key, by_start] : windows) {
      auto r = http.Get("/stores/word-windows/" + key + "?from=0");
      if (!r || r->status != 200) {
        mismatch = key + ": " + (r ? r->body : "no answer");
        break;
      }
      size_t entries = 0;
      for (size_t at = r->body.find("\"window_start\""); at != std::string::npos;
           at = r->body.find("\"window_start\"", at + 1)) {
        ++entries;
      }
      for (const auto& [start, value] : by_start) {
        const std::string entry = "{\"key\": \"" + key + "\", \"window_start\": " + std::to_string(start) +
                                  ", \"value\": " + observe::ValueAsJson(value) + "}";
        if (r->body.find(entry) == std::string::npos) mismatch = key + ": no " + entry + " in " + r->body;
      }
      if (entries != by_start.size()) mismatch = key + ": " + std::to_string(entries) + " windows in " + r->body;
      if (!mismatch.empty()) break;
    }
  }
  EXPECT_EQ(mismatch, "");
  for (const auto& [key, by_start] : windows) {
    // A time range with no window.
    auto none = http.Get("/stores/word-windows/" + key + "?from=0&to=1000");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 200);
    EXPECT_THAT(none->body, HasSubstr("\"entries\": []"));
  }
  worker->Signal(SIGTERM);
  auto code = worker->Wait(120s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << worker->Log();
}

}  // namespace
}  // namespace streamapp
