// A stream thread: one consumer in the application's group, one producer,
// and the tasks the group assigned it. It polls, feeds tasks, processes in
// timestamp order, and commits every commit.interval.ms.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "runtime/changelog_restorer.h"
#include "runtime/streams_producer.h"
#include "runtime/task_manager.h"
#include "runtime/thread_status.h"
#include "streamapp/streams_config.h"

namespace streamapp::runtime {

class StreamThread final : public kafka::RebalanceListener {
 public:
  enum class State { kCreated, kStarting, kRunning, kPendingShutdown, kDead };

  StreamThread(int index, std::shared_ptr<const dsl::TopologyData> topology, const StreamsConfig& config,
               std::string client_id_prefix, const std::atomic<bool>& stop, state::StateResources* resources,
               const std::map<std::string, KeyValueStore*>* global_stores, kafka::ClientFactory* clients,
               std::shared_ptr<ThreadStatus> status);

  // Runs until `stop` is set (then commits and leaves the group) or an
  // unrecoverable error happens (returned).
  Status Run();

  void OnPartitionsRevoked(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnPartitionsAssigned(const std::vector<kafka::TopicPartition>& partitions) override;

  const TaskMetrics& metrics() const { return metrics_; }

 private:
  Status CreateClients();
  Status CreateConsumer();
  Status PollOnce(std::chrono::milliseconds timeout);
  Status ProcessBatch();
  void UpdatePauses();
  Status Commit();  // CommitOnce(), timed
  Status CommitOnce();
  // The endpoint's side: publish tasks, snapshots, run queued queries.
  void PublishTasks();
  ThreadSnapshot TakeSnapshot();
  void ServeEndpoint();
  void LogThroughput(bool force);
  void PurgeRepartitionTopics(const std::vector<kafka::PartitionOffset>& committed);
  // Committed offsets (with stream time) of the partitions; under
  // exactly-once this waits until no transaction holds offsets of them.
  Result<std::vector<kafka::PartitionOffset>> FetchCommitted(const std::vector<kafka::TopicPartition>& partitions);
  // After a Kafka error: true when the thread may go on. An abortable
  // transaction is aborted and every task is rebuilt at its committed
  // offsets; a fenced or fatal producer is replaced and the group rejoined.
  bool Recover(const Status& error);
  Status RewindTasks();
  Status Rejoin();
  void Shutdown(bool clean);

  const int index_;
  std::shared_ptr<const dsl::TopologyData> topology_;
  const StreamsConfig& config_;
  const std::string client_id_;
  const std::string transactional_id_;  // empty: at-least-once
  const std::atomic<bool>& stop_;
  State state_ = State::kCreated;

  std::unique_ptr<StreamsProducer> producer_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Admin> admin_;
  std::unique_ptr<kafka::Consumer> restore_consumer_;
  std::unique_ptr<ChangelogRestorer> restorer_;
  state::StateResources* resources_;
  const std::map<std::string, KeyValueStore*>* global_stores_;
  kafka::ClientFactory& clients_;
  std::unique_ptr<state::ThreadCache> cache_;
  std::unique_ptr<TaskManager> tasks_;
  std::set<kafka::TopicPartition> paused_;
  TaskMetrics metrics_;
  Status callback_error_;  // an error inside a rebalance callback, surfaced by the loop
  bool commit_on_revoke_ = true;

  std::vector<std::chrono::steady_clock::time_point> recoveries_;  // recent ones, to give up on a loop
  std::chrono::steady_clock::time_point last_commit_;
  bool processed_last_batch_ = true;  // ProcessBatch processed a record
  std::chrono::steady_clock::time_point last_purge_{};
  std::map<kafka::TopicPartition, Offset> purge_offsets_;  // committed, not yet purged
  std::chrono::steady_clock::time_point last_log_;
  TaskMetrics last_logged_;
  std::shared_ptr<ThreadStatus> status_;
};

}  // namespace streamapp::runtime
