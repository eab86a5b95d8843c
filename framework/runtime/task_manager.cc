#include "runtime/task_manager.h"

namespace streamapp::runtime {

Status TaskManager::CreateTasks(const std::vector<kafka::TopicPartition>& partitions) {
  std::map<TaskId, std::vector<kafka::TopicPartition>> grouped;
  for (const auto& tp : partitions) {
    auto it = topology_->subtopology_of_topic.find(tp.topic);
    if (it == topology_->subtopology_of_topic.end()) {
      return Status::Internal("assigned partition " + tp.ToString() + " of a topic no subtopology reads");
    }
    grouped[TaskId{it->second, tp.partition}].push_back(tp);
  }
  for (auto& [id, tps] : grouped) {
    if (tasks_.count(id)) return Status::Internal("task " + id.ToString() + " already exists");
    auto task = std::make_unique<StreamTask>(id, topology_, id.subtopology, tps, env_);
    RETURN_IF_ERROR(task->Initialize());
    for (const auto& tp : tps) by_partition_[tp] = task.get();
    tasks_.emplace(id, std::move(task));
  }
  return Status::Ok();
}

void TaskManager::CloseAll(bool clean) {
  for (auto& [id, task] : tasks_) task->Close(clean);
  tasks_.clear();
  by_partition_.clear();
}

void TaskManager::RestoreStreamTimes(const std::vector<kafka::PartitionOffset>& committed) {
  for (const kafka::PartitionOffset& po : committed) {
    StreamTask* task = TaskFor(po.tp);
    std::optional<Timestamp> stream_time = DecodeCommitMetadata(po.metadata);
    if (task != nullptr && stream_time) task->RestoreStreamTime(*stream_time);
  }
}

StreamTask* TaskManager::TaskFor(const kafka::TopicPartition& tp) const {
  auto it = by_partition_.find(tp);
  return it == by_partition_.end() ? nullptr : it->second;
}

std::vector<kafka::PartitionOffset> TaskManager::CommittableOffsets() const {
  std::vector<kafka::PartitionOffset> out;
  for (const auto& [id, task] : tasks_) {
    auto offsets = task->CommittableOffsets();
    out.insert(out.end(), offsets.begin(), offsets.end());
  }
  return out;
}

void TaskManager::MarkCommitted() {
  for (auto& [id, task] : tasks_) task->MarkCommitted();
}

size_t TaskManager::buffered() const {
  size_t n = 0;
  for (const auto& [id, task] : tasks_) n += task->buffered();
  return n;
}

std::string TaskManager::TaskIdList() const {
  std::string out;
  for (const auto& [id, task] : tasks_) out += (out.empty() ? "" : " ") + id.ToString();
  return out.empty() ? "(none)" : out;
}

}  // namespace streamapp::runtime
