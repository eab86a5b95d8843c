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
  InProcessDriver(const Topology& topology, std::string dlq_topic);
  // Feeds one record and processes it through the topology.
  Status Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp);
  const std::vector<DriverOutput>& outputs() const { return collector_.outputs; }

 private:
  struct Collector final : runtime::RecordCollector {
    Status Send(const kafka::OutboundMessage& m) override;
    std::vector<DriverOutput> outputs;
  };
  Collector collector_;
  runtime::TaskMetrics metrics_;
  std::map<std::string, runtime::StreamTask*> task_of_topic_;
  std::vector<std::unique_ptr<runtime::StreamTask>> tasks_;
  std::map<std::string, int64_t> next_offset_;
};

}  // namespace streamapp::testing
