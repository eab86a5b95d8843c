// Creates and closes a thread's tasks as the group assigns and revokes
// partitions, and finds the task of a partition.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "runtime/stream_task.h"

namespace streamapp::runtime {

class TaskManager {
 public:
  TaskManager(std::shared_ptr<const dsl::TopologyData> topology, TaskEnv env)
      : topology_(std::move(topology)), env_(std::move(env)) {}

  // Creates (and initializes) the tasks for newly assigned partitions.
  Status CreateTasks(const std::vector<kafka::TopicPartition>& partitions);
  // `clean`: right after a successful commit (tasks checkpoint their state);
  // otherwise dirty: uncommitted cache contents are dropped, and under
  // exactly-once the next owner rebuilds the state from the changelogs.
  void CloseAll(bool clean = false);
  // Gives each task the stream time committed with its offsets.
  void RestoreStreamTimes(const std::vector<kafka::PartitionOffset>& committed);

  StreamTask* TaskFor(const kafka::TopicPartition& tp) const;
  const std::map<TaskId, std::unique_ptr<StreamTask>>& tasks() const { return tasks_; }
  std::vector<kafka::PartitionOffset> CommittableOffsets() const;
  void MarkCommitted();
  size_t buffered() const;
  std::string TaskIdList() const;

 private:
  std::shared_ptr<const dsl::TopologyData> topology_;
  TaskEnv env_;
  std::map<TaskId, std::unique_ptr<StreamTask>> tasks_;
  std::map<kafka::TopicPartition, StreamTask*> by_partition_;
};

}  // namespace streamapp::runtime
