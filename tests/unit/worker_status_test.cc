// The runtime's side of the HTTP endpoint: what a stream thread shares
// (readiness, snapshots, queued queries), the key partitioner interactive
// queries use, and the http.* settings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <thread>

#include "runtime/thread_status.h"
#include "runtime/worker_view.h"
#include "streamapp/dsl.h"
#include "streamapp/serde.h"
#include "streamapp/streams_config.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ThreadStatusTest, ReadinessFollowsAssignmentsAndTasks) {
  runtime::ThreadStatus s("StreamThread-1");
  std::string why;
  EXPECT_FALSE(s.Ready(&why));
  EXPECT_THAT(why, HasSubstr("not running"));
  s.SetRunning(true);
  EXPECT_FALSE(s.Ready(&why));
  EXPECT_THAT(why, HasSubstr("first partition assignment"));
  s.BeginRebalance();
  s.SetTasks({{TaskId{0, PartitionId(0)}, true}, {TaskId{0, PartitionId(1)}, false}});
  EXPECT_FALSE(s.Ready(&why));
  EXPECT_THAT(why, HasSubstr("task 0_1 is not running"));
  EXPECT_TRUE(s.HostsTask(TaskId{0, PartitionId(0)}));
  EXPECT_FALSE(s.HostsTask(TaskId{0, PartitionId(1)}));  // not running yet
  EXPECT_TRUE(s.HasTask(TaskId{0, PartitionId(1)}));
  EXPECT_FALSE(s.HasTask(TaskId{0, PartitionId(2)}));
  s.SetTasks({{TaskId{0, PartitionId(0)}, true}});
  EXPECT_TRUE(s.Ready(nullptr));
  s.BeginRebalance();
  EXPECT_FALSE(s.Ready(&why));
  EXPECT_FALSE(s.HostsTask(TaskId{0, PartitionId(0)}));
  s.SetTasks({});  // an empty assignment (more threads than partitions) is ready
  EXPECT_TRUE(s.Ready(nullptr));
  s.Close();
  EXPECT_FALSE(s.Ready(nullptr));
}

TEST(ThreadStatusTest, QueriesRunOnTheOwningThreadOrAreRefusedAfterClose) {
  runtime::ThreadStatus s("StreamThread-1");
  int ran_with_tasks = 0, ran_without = 0;
  auto query = [&](const runtime::TaskManager* tasks) { ++(tasks ? ran_with_tasks : ran_without); };
  EXPECT_TRUE(s.Post(query));
  EXPECT_EQ(ran_with_tasks + ran_without, 0);
  const auto* fake_tasks = reinterpret_cast<const runtime::TaskManager*>(&s);  // only compared with null
  s.RunQueries(fake_tasks);
  EXPECT_EQ(ran_with_tasks, 1);
  EXPECT_TRUE(s.Post(query));
  s.Close();  // pending queries hear null
  EXPECT_EQ(ran_without, 1);
  EXPECT_FALSE(s.Post(query));
  EXPECT_EQ(ran_without, 2);
}

TEST(ThreadStatusTest, SnapshotsArePublishedOnRequest) {
  runtime::ThreadStatus s("StreamThread-1");
  EXPECT_FALSE(s.RefreshSnapshot(20ms));  // nobody publishes
  EXPECT_TRUE(s.snapshot_requested());
  std::thread publisher([&] {
    while (!s.snapshot_requested()) std::this_thread::sleep_for(1ms);
    runtime::ThreadSnapshot snap;
    snap.metrics.consumed = 9;
    s.SetSnapshot(std::move(snap));
  });
  // The earlier request is still pending: the publisher answers at once.
  EXPECT_TRUE(s.RefreshSnapshot(5s));
  publisher.join();
  EXPECT_EQ(s.Snapshot().metrics.consumed, 9u);
  EXPECT_FALSE(s.snapshot_requested());
}

TEST(PartitionForKeyTest, IsStableAndInRange) {
  for (int n : {1, 3, 6, 100}) {
    for (const char* key : {"", "a", "ab", "abc", "abcd", "w1234", "a longer key with tail"}) {
      const int32_t p = runtime::PartitionForKey(key, n);
      EXPECT_GE(p, 0);
      EXPECT_LT(p, n);
      EXPECT_EQ(p, runtime::PartitionForKey(key, n));
    }
  }
}

TEST(PartitionForKeyTest, MatchesLibrdkafkasMurmur2Partitioner) {
  for (int n : {1, 6, 7, 64}) {
    for (std::string key : {"", "a", "ab", "abc", "abcd", "w0", "w1999", "kafka", "\xff\xfe\x80 binary"}) {
      EXPECT_EQ(runtime::PartitionForKey(key, n),
                rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), n, nullptr, nullptr))
          << key << " over " << n;
    }
  }
}

TEST(HttpSettingsTest, PortAndBind) {
  StreamsConfig c;
  EXPECT_EQ(c.http_port, 0);
  EXPECT_EQ(c.http_bind, "127.0.0.1");
  EXPECT_TRUE(c.Set("http.port", "8080").ok());
  EXPECT_EQ(c.http_port, 8080);
  EXPECT_TRUE(c.Set("http.bind", "0.0.0.0").ok());
  EXPECT_EQ(c.http_bind, "0.0.0.0");
  EXPECT_FALSE(c.Set("http.port", "70000").ok());
  EXPECT_FALSE(c.Set("http.port", "-1").ok());
  EXPECT_FALSE(c.Set("http.port", "x").ok());
  EXPECT_FALSE(c.Set("http.bind", "").ok());
}

// The view over stream threads, without threads running tasks: which
// answer a key gets from what the threads published.
class RuntimeViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StreamsBuilder b;
    auto string_serde = *MakeSerde("string", {});
    b.Stream("words", {"words"}, {string_serde, string_serde, {}})
        .GroupBy("by-word", [](const Record& r) -> Result<Value> { return r.value; })
        .Count("counts")
        .To("out", "counts-out", {string_serde, *MakeSerde("json", {})});
    auto t = b.Build();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    runtime::RuntimeViewEnv env;
    env.topology = std::make_shared<dsl::TopologyData>(t->data());
    for (const auto& sub : env.topology->subtopologies) env.partitions[sub.id] = 4;
    thread_ = std::make_shared<runtime::ThreadStatus>("StreamThread-1");
    env.threads = {thread_};
    env.topology_json = t->DescribeJson();
    view_ = std::make_unique<runtime::RuntimeView>(std::move(env));
    // The store's subtopology: the one after the repartition topic.
    store_sub_ = -1;
    for (const auto& sub : t->data().subtopologies) store_sub_ = std::max(store_sub_, sub.id);
  }

  std::shared_ptr<runtime::ThreadStatus> thread_;
  std::unique_ptr<runtime::RuntimeView> view_;
  int store_sub_ = 0;
};

TEST_F(RuntimeViewTest, AnswersByWhatTheThreadsHost) {
  const int32_t p = runtime::PartitionForKey("apple", 4);
  observe::StoreQuery q;
  q.store = "counts";
  q.key = "apple";

  // Not hosted here: NotFound with the partition, no owner without a group describer.
  thread_->SetRunning(true);
  thread_->SetTasks({});
  observe::StoreAnswer a = view_->QueryStore(q);
  EXPECT_EQ(a.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(a.partition, p);
  EXPECT_TRUE(a.owner.empty());
  EXPECT_THAT(a.status.message(), HasSubstr("not hosted by this worker"));

  // Hosted but restoring: retry later, not "elsewhere".
  thread_->SetTasks({{TaskId{store_sub_, PartitionId(p)}, false}});
  a = view_->QueryStore(q);
  EXPECT_EQ(a.status.code(), StatusCode::kCancelled);
  EXPECT_THAT(a.status.message(), HasSubstr("restoring or rebalancing"));
  EXPECT_FALSE(view_->Ready().ready);

  // An unknown store names the stores there are.
  q.store = "nope";
  a = view_->QueryStore(q);
  EXPECT_EQ(a.status.code(), StatusCode::kNotFound);
  EXPECT_FALSE(a.partition.has_value());
  EXPECT_THAT(a.status.message(), HasSubstr("counts"));

  // A thread that is gone answers a hosted key's query at once.
  q.store = "counts";
  thread_->SetTasks({{TaskId{store_sub_, PartitionId(p)}, true}});
  EXPECT_TRUE(view_->Ready().ready);
  thread_->Close();
  a = view_->QueryStore(q);
  EXPECT_EQ(a.status.code(), StatusCode::kCancelled);
  EXPECT_THAT(a.status.message(), HasSubstr("stopping"));
}

TEST_F(RuntimeViewTest, MetricsComeFromTheLastSnapshotWhenAThreadCannotAnswer) {
  runtime::ThreadSnapshot snap;
  snap.metrics.consumed = 7;
  snap.metrics.consumed_by_topic["words"] = 7;
  snap.metrics.operators["by-word"].records = 7;
  snap.lag.push_back({"words", 2, 11});
  snap.stores.push_back({"counts", 2, 5, 4096, 1024, std::nullopt});
  thread_->SetSnapshot(snap);
  thread_->SetRestoreProgress("counts", 2, 100, 0);
  thread_->Close();  // no fresh snapshot will come
  const std::string text = observe::RenderPrometheus(view_->CollectMetrics());
  EXPECT_THAT(text, HasSubstr("streamapp_records_consumed_total{topic=\"words\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_operator_records_total{operator=\"by-word\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_consumer_lag_records{topic=\"words\",partition=\"2\"} 11\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_store_estimated_keys{store=\"counts\",partition=\"2\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_store_disk_bytes{store=\"counts\",partition=\"2\"} 4096\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_rocksdb_memtable_bytes{store=\"counts\",partition=\"2\"} 1024\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE streamapp_rocksdb_live_data_bytes gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("streamapp_rocksdb_live_data_bytes{")));
  EXPECT_THAT(text, HasSubstr("streamapp_restore_records_total{store=\"counts\",partition=\"2\"} 100\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_restore_remaining_records{store=\"counts\",partition=\"2\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE streamapp_commit_latency_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_stream_threads_ready 0\n"));
}

}  // namespace
}  // namespace streamapp
