// Runs a topology in-process without a broker: one task per subtopology on
// partition 0 of its topics, output captured. A stepping stone towards the
// topology test driver (`stream-app test`).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/stream_task.h"
#include "state/stores.h"
#include "streamapp/dsl.h"

namespace streamapp::testing {

struct DriverOutput {
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
  std::vector<Header> headers;
};

class InProcessDriver {
 public:
  // `cache_max_bytes`: the record cache of the (single) simulated thread.
  InProcessDriver(const Topology& topology, std::string dlq_topic, size_t cache_max_bytes = 0);
  ~InProcessDriver();
  // Feeds one record and processes it through the topology.
  Status Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp);
  const std::vector<DriverOutput>& outputs() const { return collector_.outputs; }
  // Records written to changelog topics ("driver-<store>-changelog").
  const std::vector<DriverOutput>& changelogs() const { return collector_.changelogs; }
  // What a commit does to state: caches written down (and forwarded).
  Status Commit();
  // A store of the task reading `topic` (partition 0).
  StateStore* Store(const std::string& topic, const std::string& store) const;
  int64_t Counter(const std::string& name) const;

 private:
  Status Feed(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp);
  Status Route();

  struct Collector final : runtime::RecordCollector {
    Status Send(const kafka::OutboundMessage& m) override;
    std::vector<DriverOutput> outputs;
    std::vector<DriverOutput> changelogs;
  };
  Collector collector_;
  std::string state_dir_;
  std::unique_ptr<state::StateResources> resources_;
  std::unique_ptr<state::ThreadCache> cache_;
  runtime::TaskMetrics metrics_;
  std::map<std::string, runtime::StreamTask*> task_of_topic_;
  std::vector<std::unique_ptr<runtime::StreamTask>> tasks_;
  std::map<std::string, int64_t> next_offset_;
};

}  // namespace streamapp::testing
