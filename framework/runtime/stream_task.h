// A task: one subtopology working on one partition number of its source
// topics. It owns the processors of its nodes and the buffers of its input
// partitions; the stream thread feeds it records and commits its offsets.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/graph.h"
#include "runtime/partition_group.h"
#include "runtime/record_collector.h"
#include "runtime/task_metrics.h"
#include "runtime/task_state.h"

namespace streamapp::runtime {

struct TaskEnv {
  RecordCollector* collector = nullptr;
  std::string dlq_topic;
  TaskMetrics* metrics = nullptr;
  StateEnv state;  // where stores live; defaults: in the working dir, no restoration
  // StreamsConfig::max_task_idle; negative (the test driver, which feeds
  // records in order itself): never wait for an empty partition.
  std::chrono::milliseconds max_task_idle{-1};
};

class StreamTask {
 public:
  // Lifecycle; transitions are checked.
  enum class State { kCreated, kRunning, kSuspended, kClosed };

  StreamTask(TaskId id, std::shared_ptr<const dsl::TopologyData> topology, int subtopology,
             const std::vector<kafka::TopicPartition>& partitions, TaskEnv env);
  ~StreamTask();
  StreamTask(const StreamTask&) = delete;
  StreamTask& operator=(const StreamTask&) = delete;

  // Created -> Running: opens and restores the stores, then creates and
  // initializes the processors.
  Status Initialize();
  // Decodes and buffers a consumed record; drops records already seen.
  // Returns the queue the record went to (null if dropped or not ours).
  PartitionQueue* Enqueue(kafka::Message message);
  // The consumer reached the end of a partition (an end-of-partition event):
  // nothing older than what is buffered is on its way from there.
  void MarkEndOfPartition(const kafka::Message& eof);
  // Processes the next buffered record, if any. Errors: processing must stop
  // (a `fail` handler, or a non-data error).
  Result<bool> ProcessOne();

  // Next offsets to commit for partitions that progressed since the last
  // MarkCommitted(), each carrying the task's stream time as metadata.
  std::vector<kafka::PartitionOffset> CommittableOffsets() const;
  // Stream time as committed with the offsets (by an earlier owner): it
  // never goes back across restarts and moves.
  void RestoreStreamTime(Timestamp committed);
  void MarkCommitted();
  // Commit steps: write caches down (forwarding what they fold), then, after
  // the output is flushed and offsets committed, checkpoint the stores.
  Status FlushState();
  Status Checkpoint(bool force = false);
  // Runs wall-clock punctuators that are due.
  Status PunctuateWallClock(int64_t now_ms);
  // The wall clock the end-to-end latency metric compares output timestamps
  // with; the thread sets it before each run of records (a clock read per
  // record cost ~6 % of a stateless pipeline's CPU).
  void SetWallClock(int64_t now_ms) { wall_clock_ms_ = now_ms; }
  // Running -> Closed. Processors are closed; buffered records are dropped
  // (their offsets were not committed, so they are read again). `clean`:
  // after a commit, so a checkpoint is written for the next owner.
  void Close(bool clean = false);

  TaskId id() const { return id_; }
  State state() const { return state_; }
  Timestamp stream_time() const { return stream_time_; }
  size_t buffered() const { return queues_.buffered(); }
  PartitionGroup& queues() { return queues_; }
  // One of the task's stores, or a global table's store.
  StateStore* store(const std::string& name) const;
  // The task's own stores (null: the task has none or is closed).
  const TaskState* task_state() const { return task_state_.get(); }
  const std::map<std::string, int64_t>& counters() const { return counters_; }

 private:
  // The queue to process next, or null while the task waits (see TaskEnv).
  PartitionQueue* NextQueue();
  class NodeRuntime;
  friend class NodeRuntime;

  struct Schedule {
    std::chrono::milliseconds interval;
    PunctuationType type;
    Punctuator punctuator;
    int64_t next = -1;  // next due time; -1: not yet anchored
  };

  void TransitionTo(State next);
  Status RunPunctuators(PunctuationType type, int64_t now);
  // `topic` must outlive the record: it is the queue's own copy.
  void Decode(const dsl::GraphNode& source, std::string_view topic, PendingRecord& pending) const;
  Status Deliver(NodeRuntime& node, Record record);
  Status Sink(const dsl::GraphNode& node, const Record& record);
  // Applies the node's error handler to a DataError. OK means "handled,
  // continue"; an error means processing must stop.
  Status HandleDataError(const dsl::GraphNode& node, const Status& error);

  TaskId id_;
  std::shared_ptr<const dsl::TopologyData> topology_;
  int subtopology_;
  TaskEnv env_;
  State state_ = State::kCreated;
  Timestamp stream_time_{Timestamp::kUnknown};
  PartitionGroup queues_;
  std::vector<std::unique_ptr<NodeRuntime>> nodes_;  // indexed like topology nodes (null: other subtopology)
  const PendingRecord* current_ = nullptr;           // the input being processed, for the DLQ
  int64_t current_timestamp_ = 0;                    // stamps changelog writes
  int64_t wall_clock_ms_ = 0;                        // see SetWallClock
  // Since when the task waits for an empty partition (TaskEnv::max_task_idle).
  std::optional<std::chrono::steady_clock::time_point> idle_since_;
  std::unique_ptr<TaskState> task_state_;
  std::vector<Schedule> schedules_;
  std::map<std::string, int64_t> counters_;
  std::string key_buf_, value_buf_;  // reused serialization buffers
};

std::string_view TaskStateName(StreamTask::State state);

// Offset commit metadata carrying a task's stream time, and back (nullopt for
// metadata streamapp did not write).
std::string EncodeCommitMetadata(Timestamp stream_time);
std::optional<Timestamp> DecodeCommitMetadata(std::string_view metadata);

}  // namespace streamapp::runtime
