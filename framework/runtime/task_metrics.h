#pragma once

#include <cstdint>

namespace streamapp::runtime {

// Counters a stream thread keeps for its tasks (single-threaded access).
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
};

}  // namespace streamapp::runtime
