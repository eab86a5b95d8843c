// Stateful topologies run by stream-app on the real broker: counts over many
// keys, state that survives SIGKILL and moves between workers, restoration
// of a large changelog, and the record cache.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <regex>

#include "state/stores.h"
#include "streamapp/serde.h"
#include "support/child_process.h"
#include "support/kafka_test_env.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using Counts = std::map<std::string, int64_t>;

constexpr int kPartitions = 6;

class StatefulAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = testing::FreshName("app");
    dir_ = testing::MakeTempDir("streamapp-state-it");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A word count: key = the value (a word), count per word in store `store`.
  std::string WriteWordCount(const std::string& in, const std::string& out, const std::string& app,
                             const std::string& store = "word-counts") {
    const std::string path = dir_ + "/" + app + ".yaml";
    testing::WriteFile(path, "version: 1\napplication:\n  id: " + app + "\nstreams:\n  words: {topic: " + in +
                                 ", key: string, value: string}\n"
                                 "  counts: {topic: " +
                                 out +
                                 ", key: string, value: json}\n"
                                 "pipelines:\n  count:\n    from: words\n    steps:\n"
                                 "      - groupBy: \"$value\"\n"
                                 "      - count: {store: " +
                                 store +
                                 "}\n"
                                 "      - to: counts\n");
    return path;
  }

  std::unique_ptr<ChildProcess> StartWorker(const std::string& topology, const std::string& name,
                                            const std::string& state_dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{STREAM_APP_BINARY,
                                  "run",
                                  "--topology",
                                  topology,
                                  "--bootstrap-servers",
                                  testing::Bootstrap(),
                                  "--state-dir",
                                  state_dir,
                                  "--set",
                                  "commit.interval.ms=200",
                                  "--set",
                                  "metrics.log.interval.ms=300",
                                  "--set",
                                  "kafka.session.timeout.ms=6000"};
    for (auto& e : extra) args.push_back(std::move(e));
    return std::make_unique<ChildProcess>(std::move(args), dir_ + "/" + name + ".log");
  }

  void ProduceWords(const std::string& topic, int from, int to, int keys) {
    auto producer = kafka::MakeProducer(testing::BaseConfig());
    ASSERT_TRUE(producer.ok());
    for (int i = from; i < to; ++i) {
      const std::string word = "w" + std::to_string((i * 7919) % keys);
      kafka::OutboundMessage m;
      m.topic = topic;
      m.key = std::string_view(word);  // spread over partitions; the app re-keys anyway
      m.value = std::string_view(word);
      ASSERT_TRUE((*producer)->Send(m).ok());
    }
    ASSERT_TRUE((*producer)->Flush(60s).ok());
  }

  static Counts Expected(int n, int keys) {
    Counts c;
    for (int i = 0; i < n; ++i) ++c["w" + std::to_string((i * 7919) % keys)];
    return c;
  }

  // The last value per key of the topics.
  static Counts LastValues(const std::vector<std::string>& topics, size_t at_least) {
    Counts out;
    for (const auto& m : testing::ReadAll(topics, at_least, "read_uncommitted", 5s)) {
      if (!m.key) continue;
      if (!m.value) {
        out.erase(*m.key);
      } else {
        out[*m.key] = std::stoll(*m.value);
      }
    }
    return out;
  }

  static int64_t EndOffsets(const std::string& topic, int partitions) {
    auto admin = testing::MakeTestAdmin();
    int64_t n = 0;
    for (int p = 0; p < partitions; ++p) {
      auto w = admin->QueryWatermarks({topic, PartitionId(p)}, 10s);
      if (w.ok()) n += w->high.value();
    }
    return n;
  }

  // The records the worker processed: the "processed N" totals of each
  // thread's latest throughput line, added up.
  static int64_t Processed(const ChildProcess& worker) {
    const std::string log = worker.Log();
    static const std::regex line(R"(StreamThread-(\d+): [^\n]*totals: consumed \d+, processed (\d+))");
    std::map<std::string, int64_t> per_thread;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it) {
      per_thread[(*it)[1]] = std::stoll((*it)[2]);
    }
    if (per_thread.empty()) return -1;
    int64_t total = 0;
    for (const auto& [thread, n] : per_thread) total += n;
    return total;
  }

  // Waits until the worker has processed `n` records since it started.
  static bool WaitProcessed(ChildProcess& worker, int64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 240s;
    while (std::chrono::steady_clock::now() < deadline && worker.Running()) {
      if (Processed(worker) >= n) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  static void StopCleanly(ChildProcess& worker) {
    worker.Signal(SIGTERM);
    auto code = worker.Wait(120s);
    ASSERT_TRUE(code.has_value()) << "worker did not stop";
    ASSERT_EQ(*code, 0) << worker.Log();
  }

  // Every key-value pair in the local RocksDB stores named `store` under a
  // worker's state directory (all its tasks).
  Counts DumpLocalStores(const std::string& state_dir, const std::string& app, const std::string& store) {
    Counts out;
    const std::filesystem::path root = state_dir + "/" + app;
    if (!std::filesystem::exists(root)) return out;
    for (const auto& task : std::filesystem::directory_iterator(root)) {
      if (!std::filesystem::exists(task.path() / store)) continue;
      StoreSpec spec;
      spec.name = store;
      spec.logged = false;
      spec.cached = false;
      state::StateResources resources(16 << 20);
      state::StoreContext ctx;
      ctx.task_dir = task.path().string();
      ctx.resources = &resources;
      ctx.current_timestamp = [] { return int64_t{0}; };
      auto opened = state::OpenStore(spec, ctx);
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      if (!opened.ok()) continue;
      auto* kv = dynamic_cast<KeyValueStore*>(opened->store.get());
      EXPECT_TRUE(kv->All([&](std::string_view k, std::string_view v) {
                      EXPECT_FALSE(out.count(std::string(k))) << "key in two tasks: " << k;
                      out[std::string(k)] = std::stoll(std::string(v));
                      return true;
                    }).ok());
      opened->store->Close();
    }
    return out;
  }

  // The application's repartition topic, from `stream-app describe --format json`.
  std::string RepartitionTopic(const std::string& topology) {
    ChildProcess describe({STREAM_APP_BINARY, "describe", topology, "--format", "json"}, dir_ + "/describe.json");
    EXPECT_EQ(describe.Wait(30s), 0);
    Value doc;
    EXPECT_TRUE((*MakeSerde("json", {}))->Deserialize(describe.Log(), &doc).ok()) << describe.Log();
    for (const Value& sub : doc.Find("subtopologies")->as_array()) {
      for (const Value& node : sub.Find("nodes")->as_array()) {
        const std::string& name = node.Find("name")->as_string();
        if (name.size() > 17 && name.ends_with("-repartition-sink"))
          return app_ + "-" + node.Find("topic")->as_string();
      }
    }
    return "";
  }

  std::string app_, dir_;
};

TEST_F(StatefulAppTest, WordCountOverTwoHundredThousandRecordsEqualsTheDirectCount) {
  constexpr int kRecords = 200000, kKeys = 20000;
  const std::string in = testing::CreateFreshTopic("words", kPartitions);
  const std::string out = testing::CreateFreshTopic("counts", kPartitions);
  ProduceWords(in, 0, kRecords, kKeys);
  auto worker = StartWorker(WriteWordCount(in, out, app_), "w", dir_ + "/state", {"--threads", "2"});
  // Both subtopologies count the records: the re-keying one and the counting one.
  ASSERT_TRUE(WaitProcessed(*worker, 2 * kRecords)) << worker->Log();
  StopCleanly(*worker);
  const Counts expected = Expected(kRecords, kKeys);
  EXPECT_EQ(LastValues({out}, SIZE_MAX), expected);
  EXPECT_EQ(DumpLocalStores(dir_ + "/state", app_, "word-counts").size(), expected.size());
  // Consumed repartition records are purged.
  const std::string repartition = RepartitionTopic(WriteWordCount(in, out, app_));
  ASSERT_FALSE(repartition.empty());
  auto admin = testing::MakeTestAdmin();
  int64_t low = 0, high = 0;
  for (int p = 0; p < kPartitions; ++p) {
    auto w = admin->QueryWatermarks({repartition, PartitionId(p)}, 10s);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    low += w->low.value();
    high += w->high.value();
  }
  EXPECT_EQ(high, kRecords);
  EXPECT_GT(low, 0) << "no repartition record was purged";
}

TEST_F(StatefulAppTest, StateSurvivesSigkillAndMovesToAnotherWorker) {
  constexpr int kKeys = 2000, kBatch = 20000;
  const std::string in = testing::CreateFreshTopic("words", kPartitions);
  const std::string out = testing::CreateFreshTopic("counts", kPartitions);
  const std::string topology = WriteWordCount(in, out, app_);
  const std::string changelog = app_ + "-word-counts-changelog";
  const std::string dir_a = dir_ + "/a", dir_b = dir_ + "/b";

  ProduceWords(in, 0, kBatch, kKeys);
  auto a = StartWorker(topology, "a1", dir_a);
  ASSERT_TRUE(WaitProcessed(*a, 2 * kBatch)) << a->Log();
  std::this_thread::sleep_for(1500ms);  // several commits: everything processed is committed
  const Counts before = LastValues({changelog}, SIZE_MAX);
  ASSERT_EQ(before, Expected(kBatch, kKeys));

  a->Signal(SIGKILL);
  ASSERT_TRUE(a->Wait(30s).has_value());
  a = StartWorker(topology, "a2", dir_a);  // same state directory: restores from its checkpoint
  ASSERT_TRUE(a->WaitForLog("assigned", 60s)) << a->Log();
  ProduceWords(in, kBatch, 2 * kBatch, kKeys);
  ASSERT_TRUE(WaitProcessed(*a, 2 * kBatch)) << a->Log();
  StopCleanly(*a);
  // No record was processed twice: the kill came after everything was committed.
  EXPECT_EQ(Processed(*a), 2 * kBatch);
  const Counts after_restart = DumpLocalStores(dir_a, app_, "word-counts");
  EXPECT_EQ(after_restart, Expected(2 * kBatch, kKeys));

  // Move every task to a second worker with empty local state. (Its stores
  // are read after it stops: RocksDB locks them while it runs.)
  auto b = StartWorker(topology, "b1", dir_b);
  ASSERT_TRUE(b->WaitForLog("restored store word-counts", 60s)) << b->Log();
  ASSERT_TRUE(b->WaitForLog("assigned 12 partition(s)", 60s)) << b->Log();  // after restoring
  StopCleanly(*b);
  EXPECT_EQ(DumpLocalStores(dir_b, app_, "word-counts"), after_restart);  // restored = what a had
  b = StartWorker(topology, "b2", dir_b);
  ASSERT_TRUE(b->WaitForLog("assigned", 60s)) << b->Log();
  ProduceWords(in, 2 * kBatch, 3 * kBatch, kKeys);
  ASSERT_TRUE(WaitProcessed(*b, 2 * kBatch)) << b->Log();
  StopCleanly(*b);
  EXPECT_EQ(DumpLocalStores(dir_b, app_, "word-counts"), Expected(3 * kBatch, kKeys));
  EXPECT_EQ(LastValues({out}, SIZE_MAX), Expected(3 * kBatch, kKeys));
}

TEST_F(StatefulAppTest, RestoresAMillionRecordChangelogAndReportsTheRate) {
  constexpr int kRecords = 1000000;
  const std::string in = testing::CreateFreshTopic("words", 1);
  const std::string out = testing::CreateFreshTopic("counts", 1);
  const std::string changelog = app_ + "-big-changelog";
  {
    auto admin = testing::MakeTestAdmin();
    ASSERT_TRUE(admin->CreateTopics({{changelog, 1, 1, {{"cleanup.policy", "compact"}}}}, 30s).ok());
    auto producer = kafka::MakeProducer(testing::BaseConfig());
    ASSERT_TRUE(producer.ok());
    for (int i = 0; i < kRecords; ++i) {
      const std::string key = "k" + std::to_string(i);
      kafka::OutboundMessage m;
      m.topic = changelog;
      m.partition = PartitionId(0);
      m.key = std::string_view(key);
      m.value = std::string_view("1");
      ASSERT_TRUE((*producer)->Send(m).ok());
    }
    ASSERT_TRUE((*producer)->Flush(120s).ok());
  }
  const std::string path = dir_ + "/big.yaml";
  testing::WriteFile(path, "version: 1\napplication:\n  id: " + app_ + "\nstreams:\n  words: {topic: " + in +
                               ", key: string, value: string}\n  counts: {topic: " + out +
                               ", key: string, value: json}\npipelines:\n  count:\n    from: words\n    steps:\n"
                               "      - count: {store: big}\n      - to: counts\n");
  auto worker = StartWorker(path, "w", dir_ + "/state");
  ASSERT_TRUE(worker->WaitForLog("restored store big", 600s)) << worker->Log();
  StopCleanly(*worker);
  std::smatch m;
  const std::string log = worker->Log();
  ASSERT_TRUE(std::regex_search(
      log, m, std::regex(R"(restored store big from \S+: (\d+) records in ([0-9.]+) s \((\d+) records/s\))")))
      << log;
  EXPECT_EQ(std::stoll(m[1]), kRecords);
  std::cout << "[ RESTORE  ] " << m[1] << " changelog records restored in " << m[2] << " s: " << m[3] << " records/s\n";
  EXPECT_EQ(DumpLocalStores(dir_ + "/state", app_, "big").size(), static_cast<size_t>(kRecords));
}

TEST_F(StatefulAppTest, AnExistingChangelogThatDoesNotMatchIsAClearError) {
  const std::string in = testing::CreateFreshTopic("words", 2);
  const std::string out = testing::CreateFreshTopic("counts", 2);
  auto admin = testing::MakeTestAdmin();
  // A changelog left behind with another partition count, and one with the
  // wrong cleanup policy.
  ASSERT_TRUE(
      admin->CreateTopics({{app_ + "-wrong-parts-changelog", 3, 1, {{"cleanup.policy", "compact"}}}}, 30s).ok());
  ASSERT_TRUE(
      admin->CreateTopics({{app_ + "-wrong-policy-changelog", 2, 1, {{"cleanup.policy", "delete"}}}}, 30s).ok());
  const std::string path = dir_ + "/mismatch.yaml";
  for (const auto& [store, message] : std::vector<std::pair<std::string, std::string>>{
           {"wrong-parts",
            "internal topic '" + app_ + "-wrong-parts-changelog' has 3 partitions but the topology needs 2"},
           {"wrong-policy", "internal topic '" + app_ +
                                "-wrong-policy-changelog' has cleanup.policy=delete but must have "
                                "compact"}}) {
    testing::WriteFile(path, "version: 1\napplication:\n  id: " + app_ + "\nstreams:\n  words: {topic: " + in +
                                 ", key: string, value: string}\n  counts: {topic: " + out +
                                 ", key: string, value: json}\npipelines:\n  count:\n    from: words\n    steps:\n"
                                 "      - count: {store: " +
                                 store + "}\n      - to: counts\n");
    auto worker = StartWorker(path, store, dir_ + "/state");
    auto code = worker->Wait(60s);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 1);
    EXPECT_NE(worker->Log().find(message), std::string::npos) << worker->Log();
  }
}

TEST_F(StatefulAppTest, ATopicWithAnotherPartitionCountThanDeclaredIsAClearError) {
  const std::string in = testing::CreateFreshTopic("words", 2);
  const std::string out = testing::CreateFreshTopic("counts", 2);
  const std::string path = dir_ + "/declared.yaml";
  testing::WriteFile(path, "version: 1\napplication:\n  id: " + app_ + "\nstreams:\n  words: {topic: " + in +
                               ", key: string, value: string, partitions: 3}\npipelines:\n  count:\n    from: "
                               "words\n    steps:\n      - count: true\n      - to: " +
                               out + "\n");
  auto worker = StartWorker(path, "declared", dir_ + "/state");
  auto code = worker->Wait(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(worker->Log().find("topic '" + in + "' has 2 partitions but the topology declares 3"), std::string::npos)
      << worker->Log();
}

TEST_F(StatefulAppTest, ExactlyOnceRefusesAStoreWithoutAChangelog) {
  const std::string in = testing::CreateFreshTopic("words", 2);
  const std::string out = testing::CreateFreshTopic("counts", 2);
  const std::string path = dir_ + "/unlogged.yaml";
  testing::WriteFile(path, "version: 1\napplication:\n  id: " + app_ +
                               "\n  processing_guarantee: exactly_once_v2\nstreams:\n  words: {topic: " + in +
                               "}\nstores:\n  local-counts: {changelog: false}\npipelines:\n  count:\n    from: "
                               "words\n    steps:\n      - count: {store: local-counts}\n      - to: " +
                               out + "\n");
  auto worker = StartWorker(path, "unlogged", dir_ + "/state");
  auto code = worker->Wait(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(
      worker->Log().find("store 'local-counts' has no changelog (changelog: false), which exactly-once cannot keep"),
      std::string::npos)
      << worker->Log();
}

TEST_F(StatefulAppTest, TheCacheFoldsHotKeyUpdatesWithoutChangingTheResult) {
  constexpr int kRecords = 20000, kKeys = 10;
  const std::string in = testing::CreateFreshTopic("words", 2);
  ProduceWords(in, 0, kRecords, kKeys);
  std::map<std::string, int64_t> changelog_records;
  std::map<std::string, Counts> results;
  for (const std::string mode : {"cached", "uncached"}) {
    const std::string app = app_ + "-" + mode;
    const std::string out = testing::CreateFreshTopic("counts-" + mode, 2);
    auto worker = StartWorker(WriteWordCount(in, out, app, "hot"), mode, dir_ + "/" + mode,
                              {"--set", std::string("cache.max.bytes=") + (mode == "cached" ? "10485760" : "0"),
                               "--set", "commit.interval.ms=2000"});
    ASSERT_TRUE(WaitProcessed(*worker, 2 * kRecords)) << worker->Log();
    StopCleanly(*worker);
    changelog_records[mode] = EndOffsets(app + "-hot-changelog", 2);
    results[mode] = LastValues({out}, SIZE_MAX);
  }
  EXPECT_EQ(results["cached"], Expected(kRecords, kKeys));
  EXPECT_EQ(results["uncached"], Expected(kRecords, kKeys));
  EXPECT_EQ(changelog_records["uncached"], kRecords);
  EXPECT_LT(changelog_records["cached"] * 20, kRecords) << changelog_records["cached"] << " changelog records";
  std::cout << "[ CACHE    ] changelog records: cached " << changelog_records["cached"] << ", uncached "
            << changelog_records["uncached"] << " for " << kRecords << " input records\n";
}

}  // namespace
}  // namespace streamapp
