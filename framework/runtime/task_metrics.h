#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "observe/metrics.h"

namespace streamapp::runtime {

// Per-operator numbers: every record is counted; one in kTimingSample is
// timed (two clock reads per timed record), including what the operator
// forwards downstream synchronously.
struct OperatorMetrics {
  static constexpr uint64_t kTimingSample = 16;
  uint64_t records = 0;
  observe::Histogram process_seconds;
};

// Counters a stream thread keeps for its tasks (single-threaded access: the
// thread publishes a copy when the HTTP endpoint scrapes).
struct TaskMetrics {
  uint64_t consumed = 0;   // records taken from Kafka
  uint64_t processed = 0;  // records that went through the topology
  uint64_t produced = 0;   // records sent to sinks
  uint64_t skipped = 0;    // dropped by the `skip` handler
  uint64_t dead_lettered = 0;
  uint64_t late_dropped = 0;  // records past a window's grace period
  uint64_t transactions_committed = 0;
  uint64_t transactions_aborted = 0;
  uint64_t recoveries = 0;  // tasks rebuilt or the group rejoined after a Kafka error
  uint64_t rebalances = 0;  // partition assignments received

  // Every record the producer accepted (sinks, changelogs, repartition
  // topics, the DLQ), and every record polled, per topic.
  std::map<std::string, uint64_t, std::less<>> produced_by_topic;
  std::map<std::string, uint64_t, std::less<>> consumed_by_topic;
  // By node name; entries stay put (tasks keep pointers to them).
  std::map<std::string, OperatorMetrics, std::less<>> operators;
  observe::Histogram e2e_latency;     // sink time (wall clock) - record timestamp
  observe::Histogram commit_latency;  // a whole commit: flush caches, producer, offsets/transaction

  static void Count(std::map<std::string, uint64_t, std::less<>>& by_topic, std::string_view topic) {
    auto it = by_topic.find(topic);
    if (it == by_topic.end()) it = by_topic.emplace(std::string(topic), 0).first;
    ++it->second;
  }
};

}  // namespace streamapp::runtime
