// The records a task has buffered, per input partition, and the choice of
// which to process next: the head with the lowest timestamp, so that a task
// reading several partitions processes them in time order.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "kafka/clients.h"
#include "streamapp/record.h"

namespace streamapp::runtime {

// A consumed record and its decoding, or the reason it could not be decoded.
struct PendingRecord {
  kafka::Message raw;
  Record record;
  Status error;  // not OK: deserialization or timestamp extraction failed
};

struct PartitionQueue {
  kafka::TopicPartition tp;
  int source_node = -1;
  std::deque<PendingRecord> records;
  // Next offset expected from the consumer; anything below was seen already
  // (librdkafka 2.0.2 can refetch after pause/resume).
  Offset next_fetch{Offset::kInvalid};
  Offset next_to_commit{Offset::kInvalid};  // after the last processed record
  Offset committed{Offset::kInvalid};       // what the last commit stored
  // The consumer reported the partition's end after the last record
  // buffered here: an empty queue then means "nothing to wait for".
  bool at_end = false;
};

class PartitionGroup {
 public:
  PartitionQueue& Add(kafka::TopicPartition tp, int source_node);
  PartitionQueue* Find(const kafka::TopicPartition& tp);
  // The queue whose head record has the lowest timestamp, or null if empty.
  PartitionQueue* NextQueue();
  // True when every partition has a record buffered or is at its end, so
  // that NextQueue() picks the lowest timestamp among all that can come.
  bool AllPartitionsKnown() const;
  size_t buffered() const;
  std::vector<std::unique_ptr<PartitionQueue>>& queues() { return queues_; }

 private:
  std::vector<std::unique_ptr<PartitionQueue>> queues_;  // stable addresses
};

}  // namespace streamapp::runtime
