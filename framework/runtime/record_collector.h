// Where a task's output goes: sinks and the dead-letter queue send through a
// RecordCollector, so tests can capture output without a broker.
#pragma once

#include <atomic>
#include <cstdint>

#include "kafka/clients.h"

namespace streamapp::runtime {

class RecordCollector {
 public:
  virtual ~RecordCollector() = default;
  virtual Status Send(const kafka::OutboundMessage& message) = 0;
};

// Sends through a Kafka producer and counts what it sent.
class ProducerCollector final : public RecordCollector {
 public:
  explicit ProducerCollector(kafka::Producer& producer) : producer_(producer) {}
  Status Send(const kafka::OutboundMessage& message) override {
    ++sent_;
    return producer_.Send(message);
  }
  uint64_t sent() const { return sent_; }

 private:
  kafka::Producer& producer_;
  uint64_t sent_ = 0;
};

}  // namespace streamapp::runtime
