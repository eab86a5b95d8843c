// The runtime's side of the HTTP endpoint: what a stream thread shares
// (readiness, snapshots, queued queries), the key partitioner interactive
// queries use, and the http.* settings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <thread>

#include "runtime/thread_status.h"
#include "runtime/worker_view.h"
#include "streamapp/streams_config.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace streamapp
