// What a stream thread shares with the HTTP endpoint: its published state
// and metrics, and a queue of queries it runs on its own thread (stores
// and tasks are never touched by another thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "runtime/task_metrics.h"
#include "streamapp/types.h"

namespace streamapp::runtime {

class TaskManager;

struct StoreSize {
  std::string store;
  int32_t partition = 0;
  uint64_t keys = 0;        // estimated
  uint64_t disk_bytes = 0;  // files under the store's directory
  // RocksDB stores: memtables, and the SST files' live data (estimate).
  std::optional<uint64_t> memtable_bytes;
  std::optional<uint64_t> live_data_bytes;
};

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t lag = 0;
};

struct RestoreProgress {
  uint64_t restored = 0;  // records applied, across restorations
  int64_t remaining = 0;  // offsets left in the current one
};

// A copy of a thread's numbers, taken on the thread.
struct ThreadSnapshot {
  TaskMetrics metrics;
  std::vector<PartitionLag> lag;
  std::vector<StoreSize> stores;
  bool taken = false;
};

class ThreadStatus {
 public:
  // A query runs on the stream thread with its tasks, or with null when the
  // thread is gone (it must then answer "unavailable").
  using Query = std::function<void(const TaskManager*)>;

  explicit ThreadStatus(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // --- written by the stream thread ---
  void SetRunning(bool running);
  void BeginRebalance();
  // After an assignment: the tasks and whether each is running (restored).
  void SetTasks(std::map<TaskId, bool> running);
  // A scrape asked for fresh numbers: publish them with SetSnapshot().
  bool snapshot_requested() const { return snapshot_requested_.load(std::memory_order_acquire); }
  void SetSnapshot(ThreadSnapshot snapshot);
  void SetRestoreProgress(const std::string& store, int32_t partition, uint64_t restored_delta, int64_t remaining);
  // Runs queued queries (cheap when none is queued).
  void RunQueries(const TaskManager* tasks) {
    if (has_queries_.load(std::memory_order_acquire)) RunQueriesSlow(tasks);
  }
  // The thread is ending: queries queued now or later get null.
  void Close();

  // --- read by the HTTP endpoint ---
  bool Post(Query query);  // false: the thread is gone (the query ran with null)
  // Ready: running, assigned at least once, not rebalancing, every task running.
  bool Ready(std::string* why) const;
  // Whether the thread hosts the task and it can answer queries (running,
  // no rebalance in progress).
  bool HostsTask(const TaskId& id) const;
  // The thread has the task (last published), whatever its state.
  bool HasTask(const TaskId& id) const;
  // Asks the thread for a snapshot and waits up to `timeout` for it; false:
  // it did not come in time (Snapshot() then holds the previous one).
  bool RefreshSnapshot(std::chrono::milliseconds timeout);
  ThreadSnapshot Snapshot() const;
  std::map<std::pair<std::string, int32_t>, RestoreProgress> Restoration() const;
  std::map<TaskId, bool> Tasks() const;

 private:
  void RunQueriesSlow(const TaskManager* tasks);

  const std::string name_;
  mutable std::mutex mu_;
  bool running_ = false;
  bool assigned_ = false;
  bool rebalancing_ = false;
  bool closed_ = false;
  std::map<TaskId, bool> tasks_;
  ThreadSnapshot snapshot_;
  std::map<std::pair<std::string, int32_t>, RestoreProgress> restoration_;
  std::vector<Query> queries_;
  std::atomic<bool> has_queries_{false};
  std::atomic<bool> snapshot_requested_{false};
  uint64_t snapshot_generation_ = 0;
  std::condition_variable snapshot_cv_;
};

}  // namespace streamapp::runtime
