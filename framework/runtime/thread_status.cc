#include "runtime/thread_status.h"

namespace streamapp::runtime {

void ThreadStatus::SetRunning(bool running) {
  std::lock_guard lock(mu_);
  running_ = running;
}

void ThreadStatus::BeginRebalance() {
  std::lock_guard lock(mu_);
  rebalancing_ = true;
}

void ThreadStatus::SetTasks(std::map<TaskId, bool> running) {
  std::lock_guard lock(mu_);
  tasks_ = std::move(running);
  assigned_ = true;
  rebalancing_ = false;
}

void ThreadStatus::SetSnapshot(ThreadSnapshot snapshot) {
  {
    std::lock_guard lock(mu_);
    snapshot_ = std::move(snapshot);
    snapshot_.taken = true;
    ++snapshot_generation_;
    snapshot_requested_.store(false, std::memory_order_release);
  }
  snapshot_cv_.notify_all();
}

bool ThreadStatus::RefreshSnapshot(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (closed_) return false;
  const uint64_t before = snapshot_generation_;
  snapshot_requested_.store(true, std::memory_order_release);
  return snapshot_cv_.wait_for(lock, timeout, [&] { return closed_ || snapshot_generation_ != before; }) && !closed_;
}

void ThreadStatus::SetRestoreProgress(const std::string& store, int32_t partition, uint64_t restored_delta,
                                      int64_t remaining) {
  std::lock_guard lock(mu_);
  RestoreProgress& p = restoration_[{store, partition}];
  p.restored += restored_delta;
  p.remaining = remaining;
}

void ThreadStatus::Close() {
  std::vector<Query> pending;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    running_ = false;
    pending.swap(queries_);
    has_queries_.store(false, std::memory_order_release);
  }
  snapshot_cv_.notify_all();
  for (Query& q : pending) q(nullptr);
}

void ThreadStatus::RunQueriesSlow(const TaskManager* tasks) {
  std::vector<Query> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(queries_);
    has_queries_.store(false, std::memory_order_release);
  }
  for (Query& q : pending) q(tasks);
}

bool ThreadStatus::Post(Query query) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      queries_.push_back(std::move(query));
      has_queries_.store(true, std::memory_order_release);
      return true;
    }
  }
  query(nullptr);
  return false;
}

bool ThreadStatus::Ready(std::string* why) const {
  std::lock_guard lock(mu_);
  auto no = [&](std::string reason) {
    if (why) *why = name_ + ": " + reason;
    return false;
  };
  if (!running_) return no("not running");
  if (!assigned_) return no("waiting for the first partition assignment");
  if (rebalancing_) return no("rebalancing (restoring state or waiting for an assignment)");
  for (const auto& [id, task_running] : tasks_) {
    if (!task_running) return no("task " + id.ToString() + " is not running");
  }
  return true;
}

bool ThreadStatus::HostsTask(const TaskId& id) const {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  return it != tasks_.end() && it->second && !rebalancing_;
}

bool ThreadStatus::HasTask(const TaskId& id) const {
  std::lock_guard lock(mu_);
  return tasks_.count(id) > 0;
}

ThreadSnapshot ThreadStatus::Snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::map<std::pair<std::string, int32_t>, RestoreProgress> ThreadStatus::Restoration() const {
  std::lock_guard lock(mu_);
  return restoration_;
}

std::map<TaskId, bool> ThreadStatus::Tasks() const {
  std::lock_guard lock(mu_);
  return tasks_;
}

}  // namespace streamapp::runtime
