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
};

}  // namespace streamapp::runtime
