// Internal: opening the layered stores of a task, and what the runtime needs
// from them (restoration, checkpoints, memory bounds).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamapp/state_store.h"
#include "streamapp/types.h"

namespace rocksdb {
class Cache;
class WriteBufferManager;
}  // namespace rocksdb

namespace streamapp::state {

// One per worker: bounds the memory of every RocksDB store of the worker
// with one shared block cache and one write buffer manager (charged to the
// cache), so the budget holds however many tasks the worker owns.
class StateResources {
 public:
  explicit StateResources(size_t memory_budget_bytes);
  ~StateResources();
  const std::shared_ptr<rocksdb::Cache>& block_cache() const { return cache_; }
  const std::shared_ptr<rocksdb::WriteBufferManager>& write_buffers() const { return wbm_; }
  size_t budget() const { return budget_; }
  // Bytes in use in the shared cache (block cache + memtables).
  size_t MemoryUsage() const;

 private:
  size_t budget_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> wbm_;
};

// Writes changelog records (implemented by the runtime over its producer).
class ChangelogWriter {
 public:
  virtual ~ChangelogWriter() = default;
  // value nullopt: a tombstone.
  virtual Status Send(const std::string& topic, PartitionId partition, std::string_view key,
                      std::optional<std::string_view> value, int64_t timestamp) = 0;
};

// The per-thread record cache budget (`cache.max.bytes`), shared by the
// caching layers of every store of the thread's tasks. 0 disables caching:
// every update goes down (and downstream) at once.
class ThreadCache {
 public:
  explicit ThreadCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  size_t max_bytes() const { return max_bytes_; }
  size_t used_bytes() const { return used_bytes_; }
  void Add(std::ptrdiff_t delta) { used_bytes_ = static_cast<size_t>(static_cast<std::ptrdiff_t>(used_bytes_) + delta); }
  bool over_budget() const { return used_bytes_ > max_bytes_; }

 private:
  size_t max_bytes_;
  size_t used_bytes_ = 0;
};

// Counters of a store (the metered layer).
struct StoreMetrics {
  uint64_t gets = 0;
  uint64_t puts = 0;
  uint64_t deletes = 0;
  uint64_t ranges = 0;
  uint64_t cache_hits = 0;
  uint64_t changelog_writes = 0;
  uint64_t get_nanos = 0;
  uint64_t put_nanos = 0;
};

struct StoreContext {
  std::string task_dir;                // <state-dir>/<application-id>/<task-id>
  StateResources* resources = nullptr;  // for RocksDB stores
  ThreadCache* cache = nullptr;         // null or max 0: no caching
  ChangelogWriter* changelog = nullptr;  // null: not logged (whatever the spec says)
  std::string changelog_topic;          // "<application-id>-<store>-changelog"
  PartitionId partition{0};             // the task's partition = changelog partition
  // The timestamp of the record being processed (stamps changelog records and
  // cache entries).
  std::function<int64_t()> current_timestamp;
};

// A store as the runtime holds it: the top layer operators use, and the
// inner store that restoration writes to directly (no cache, no changelog).
struct OpenedStore {
  std::unique_ptr<StateStore> store;
  class RestoreTarget* restore = nullptr;  // owned by `store`
  StoreMetrics* metrics = nullptr;          // owned by `store`
};

class RestoreTarget {
 public:
  virtual ~RestoreTarget() = default;
  // Applies changelog records (value nullopt: delete) in one batch.
  virtual Status ApplyBatch(const std::vector<std::pair<std::string, std::optional<std::string>>>& records) = 0;
  // Makes the inner store's content survive a process kill (RocksDB: flush
  // the memtables, since the WAL is off), before a checkpoint names it.
  virtual Status Persist() { return Status::Ok(); }
  // A numeric property of the inner store (RocksDB: GetIntProperty, e.g.
  // "rocksdb.cur-size-all-mem-tables"); nullopt when it has none.
  virtual std::optional<uint64_t> IntProperty(const std::string& name) { return std::nullopt; }
};

// Opens (creating if needed) the store under context.task_dir/<spec.name>,
// layered metered -> caching -> change-logging -> inner per the spec.
Result<OpenedStore> OpenStore(const StoreSpec& spec, const StoreContext& context);

// Removes a task's local state (a store directory, or the whole task dir).
Status WipeDirectory(const std::string& dir);

// Checkpoint: the changelog offsets the local stores reflect, per changelog
// partition ("topic partition offset" lines), written atomically.
using CheckpointOffsets = std::map<std::pair<std::string, int32_t>, int64_t>;
Status WriteCheckpoint(const std::string& path, const CheckpointOffsets& offsets);
// NotFound when there is no checkpoint file.
Result<CheckpointOffsets> ReadCheckpoint(const std::string& path);

// Composite keys of window and session stores (exposed for flush listeners
// and changelog readers): the user key, then big-endian times that sort.
std::string EncodeWindowKey(std::string_view key, int64_t window_start);
bool DecodeWindowKey(std::string_view composite, std::string* key, int64_t* window_start);
std::string EncodeSessionKey(std::string_view key, int64_t start, int64_t end);
bool DecodeSessionKey(std::string_view composite, std::string* key, int64_t* start, int64_t* end);

}  // namespace streamapp::state
