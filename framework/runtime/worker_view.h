// The HTTP endpoint's view of a running worker: readiness and metrics from
// what the stream threads publish, and interactive queries run on the
// thread that owns the store's task.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/graph.h"
#include "kafka/clients.h"
#include "observe/worker_view.h"
#include "runtime/thread_status.h"

namespace streamapp::state {
class StateResources;
}

namespace streamapp::runtime {

// Kafka's default partitioner (murmur2 of the key bytes, as the Java client
// and librdkafka's murmur2_random): the partition a keyed record goes to.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

struct RuntimeViewEnv {
  std::shared_ptr<const dsl::TopologyData> topology;
  std::map<int, int> partitions;  // per subtopology
  std::vector<std::shared_ptr<ThreadStatus>> threads;
  const state::StateResources* resources = nullptr;
  std::string topology_json;
  // Names the owner of a partition this worker does not host (null: the
  // answer gives the partition only).
  std::unique_ptr<kafka::GroupAdmin> groups;
  std::string group;  // the application id
};

class RuntimeView final : public observe::WorkerView {
 public:
  explicit RuntimeView(RuntimeViewEnv env);

  observe::Readiness Ready() override;
  std::vector<observe::MetricFamily> CollectMetrics() override;
  std::string TopologyJson() override { return env_.topology_json; }
  observe::StoreAnswer QueryStore(const observe::StoreQuery& query) override;

 private:
  observe::StoreAnswer QueryKey(const observe::StoreQuery& query, int subtopology);
  observe::StoreAnswer QueryRange(const observe::StoreQuery& query, int subtopology);
  // "<client id> (<host>)" of the group member assigned the task's source
  // partition, or empty.
  std::string OwnerOf(const TaskId& id);

  RuntimeViewEnv env_;
  std::map<std::string, int> store_subtopology_;
};

}  // namespace streamapp::runtime
