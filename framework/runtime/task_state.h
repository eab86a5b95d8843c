// The stores of one task: opening them under the task directory,
// restoring them from their changelogs, flushing caches on commit, and
// checkpointing what the local state reflects.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/changelog_restorer.h"
#include "runtime/record_collector.h"
#include "state/stores.h"
#include "streamapp/types.h"

namespace streamapp::runtime {

struct StateEnv {
  std::string application_id;  // prefixes changelog topics
  std::string app_state_dir;   // <state-dir>/<application-id>
  state::StateResources* resources = nullptr;
  state::ThreadCache* cache = nullptr;
  ChangelogRestorer* restorer = nullptr;  // null: start from empty stores (no broker)
  kafka::Admin* admin = nullptr;          // null: no checkpoints
  // At-least-once: on every commit (throttled). Exactly-once: only on a
  // clean close, and a checkpoint found at open is removed once read.
  bool write_checkpoints = true;
  // Global tables' stores, shared by every task of the worker (read only).
  const std::map<std::string, KeyValueStore*>* global_stores = nullptr;
};

std::string ChangelogTopic(const std::string& application_id, const std::string& store);

class TaskState final : public state::ChangelogWriter {
 public:
  TaskState(TaskId task, StateEnv env, RecordCollector* collector);
  ~TaskState() override;

  // Opens the stores, wiping local state that no checkpoint vouches for,
  // and restores each logged store from its changelog.
  Status OpenAndRestore(const std::vector<StoreSpec>& specs, std::function<int64_t()> current_timestamp);
  StateStore* Get(const std::string& name) const;
  bool empty() const { return stores_.empty(); }

  // Writes every cache down (operators forward from their flush listeners).
  Status Flush();
  // Persists the stores and records the changelog end offsets they reflect.
  // `force`: now; otherwise at most once per checkpoint interval (a
  // checkpoint costs a RocksDB flush and a round trip per changelog).
  Status Checkpoint(bool force = false);
  void Close();

  Status Send(const std::string& topic, PartitionId partition, std::string_view key,
              std::optional<std::string_view> value, int64_t timestamp) override;

  const std::string& task_dir() const { return task_dir_; }
  const std::map<std::string, state::OpenedStore>& stores() const { return stores_; }

 private:
  // One owner per task directory: an exclusive lock on "<task-dir>.lock",
  // released on Close() (or by the kernel when the process dies).
  Status Lock();

  TaskId task_;
  StateEnv env_;
  RecordCollector* collector_;
  std::string task_dir_;
  std::map<std::string, state::OpenedStore> stores_;
  std::chrono::steady_clock::time_point last_checkpoint_{};
  int lock_fd_ = -1;
};

}  // namespace streamapp::runtime
