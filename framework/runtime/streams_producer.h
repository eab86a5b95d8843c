// A stream thread's producer as its tasks see it. Under exactly-once it is
// transactional: the first record opens a transaction, and Commit() puts the
// consumed offsets into it and commits, so output, changelog writes, DLQ
// records and input progress become visible together or not at all. Under
// at-least-once Commit() flushes, then the consumer commits the offsets.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kafka/clients.h"
#include "runtime/record_collector.h"
#include "runtime/task_metrics.h"

namespace streamapp::runtime {

class StreamsProducer final : public RecordCollector {
 public:
  // `transactional_id` empty: at-least-once.
  StreamsProducer(kafka::Config config, std::string transactional_id, TaskMetrics* metrics,
                  kafka::ClientFactory& clients);
  ~StreamsProducer() override;

  // Creates the producer. Exactly-once: init_transactions, which also fences
  // an older producer with the same transactional.id and aborts what it left open.
  Status Init();
  Status Send(const kafka::OutboundMessage& message) override;
  // Makes everything sent so far durable together with `offsets`.
  Status Commit(const std::vector<kafka::PartitionOffset>& offsets, kafka::Consumer& consumer);
  // Exactly-once: aborts the open transaction (a no-op without one).
  Status Abort();
  // Replaces the producer after fencing or a fatal error (the open
  // transaction, if any, is aborted by the new producer's Init()).
  Status Reset();
  // Serves delivery reports.
  void Poll();

  bool exactly_once() const { return !transactional_id_.empty(); }
  bool in_transaction() const { return in_transaction_; }
  const std::string& transactional_id() const { return transactional_id_; }

 private:
  Status Begin();

  kafka::Config config_;
  std::string transactional_id_;
  TaskMetrics* metrics_;
  kafka::ClientFactory& clients_;
  std::unique_ptr<kafka::Producer> producer_;
  bool in_transaction_ = false;
};

}  // namespace streamapp::runtime
