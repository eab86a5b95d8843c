#include "runtime/partition_group.h"

namespace streamapp::runtime {

PartitionQueue& PartitionGroup::Add(kafka::TopicPartition tp, int source_node) {
  auto q = std::make_unique<PartitionQueue>();
  q->tp = std::move(tp);
  q->source_node = source_node;
  queues_.push_back(std::move(q));
  return *queues_.back();
}

PartitionQueue* PartitionGroup::Find(const kafka::TopicPartition& tp) {
  for (auto& q : queues_) {
    if (q->tp == tp) return q.get();
  }
  return nullptr;
}

PartitionQueue* PartitionGroup::NextQueue() {
  PartitionQueue* best = nullptr;
  int64_t best_ts = 0;
  for (auto& q : queues_) {
    if (q->records.empty()) continue;
    const PendingRecord& head = q->records.front();
    // Undecodable records carry the Kafka timestamp for ordering.
    int64_t ts = head.error.ok() ? head.record.timestamp.value() : head.raw.timestamp.value();
    if (best == nullptr || ts < best_ts) {
      best = q.get();
      best_ts = ts;
    }
  }
  return best;
}

bool PartitionGroup::AllPartitionsKnown() const {
  for (const auto& q : queues_) {
    if (q->records.empty() && !q->at_end) return false;
  }
  return true;
}

size_t PartitionGroup::buffered() const {
  size_t n = 0;
  for (const auto& q : queues_) n += q->records.size();
  return n;
}

}  // namespace streamapp::runtime
