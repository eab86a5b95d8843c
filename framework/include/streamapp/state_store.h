// State stores: what stateful operators keep between records.
//
// Stores hold bytes; operators encode keys and values with serdes. A store
// as an operator sees it is a stack of layers: metered -> caching ->
// change-logging -> inner (RocksDB or in-memory). Window and session stores
// are key-value stores with composite keys underneath, so every layer works
// for all three kinds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "streamapp/status.h"

namespace streamapp {

enum class StoreKind { kKeyValue, kWindow, kSession };
std::string_view StoreKindName(StoreKind kind);

// What an operator declares about a store it needs. Immutable.
struct StoreSpec {
  std::string name;  // stable: from the topology (explicit or pipeline/step); names the changelog topic
  StoreKind kind = StoreKind::kKeyValue;
  bool in_memory = false;  // false: RocksDB
  bool logged = true;      // backed by "<application-id>-<name>-changelog"
  bool cached = true;      // folds repeated updates of a key between commits
  // Window and session stores: how long windows are kept (size + grace at
  // least); also sets the changelog's retention.ms.
  std::chrono::milliseconds retention{std::chrono::hours(24)};

  // A logged, cached RocksDB key-value store: what most operators keep.
  static StoreSpec KeyValue(std::string store_name) {
    StoreSpec spec;
    spec.name = std::move(store_name);
    return spec;
  }
};

class StateStore {
 public:
  // Receives a key's latest value (nullopt: deleted) and the value it
  // replaces (when asked for with OldValues::kRead), with the timestamp of
  // the record that wrote it.
  using FlushListener = std::function<Status(std::string_view key, std::optional<std::string_view> value,
                                             std::optional<std::string_view> old_value, int64_t timestamp)>;

  virtual ~StateStore() = default;
  virtual const StoreSpec& spec() const = 0;
  // A caching store calls `listener` for each dirty key when it writes the
  // key down (on Flush() or eviction), so an operator forwards one update per
  // key per commit. Returns false when the store has no cache: the operator
  // must then forward every update itself.
  // The value a flushed key replaces costs a read of the layer below
  // (RocksDB) per flushed key, so a listener gets it only with kRead; with
  // kSkip its `old_value` is nullopt.
  enum class OldValues { kSkip, kRead };
  virtual bool SetFlushListener(FlushListener listener, OldValues old_values) { return false; }
  // Makes everything written so far durable in the layer below (the cache
  // writes through; RocksDB flushes its memtable only when asked to close).
  virtual Status Flush() = 0;
  virtual void Close() = 0;
};

using KeyValueVisitor = std::function<bool(std::string_view key, std::string_view value)>;  // false: stop

class KeyValueStore : public StateStore {
 public:
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Visits keys in [from, to) in byte order; an empty bound is open.
  virtual Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) = 0;
  virtual Status All(const KeyValueVisitor& visit) { return Range({}, {}, visit); }
  virtual Result<uint64_t> ApproximateCount() = 0;
};

// Values per (key, window start).
class WindowStore : public StateStore {
 public:
  using Visitor = std::function<bool(std::string_view key, int64_t window_start, std::string_view value)>;
  virtual Result<std::optional<std::string>> Get(std::string_view key, int64_t window_start) = 0;
  virtual Status Put(std::string_view key, int64_t window_start, std::string_view value) = 0;
  virtual Status Delete(std::string_view key, int64_t window_start) = 0;
  // Windows of `key` starting in [from, to], in start order.
  virtual Status Fetch(std::string_view key, int64_t from, int64_t to, const Visitor& visit) = 0;
  // Windows of every key starting in [from, to].
  virtual Status FetchAll(int64_t from, int64_t to, const Visitor& visit) = 0;
  // Drops windows that started before `start` (retention).
  virtual Status DeleteBefore(int64_t start) = 0;
};

// Values per (key, session start, session end).
class SessionStore : public StateStore {
 public:
  using Visitor = std::function<bool(std::string_view key, int64_t start, int64_t end, std::string_view value)>;
  virtual Status Put(std::string_view key, int64_t start, int64_t end, std::string_view value) = 0;
  virtual Status Remove(std::string_view key, int64_t start, int64_t end) = 0;
  // Sessions of `key` that end at or after `earliest_end` and start at or
  // before `latest_start` (the sessions a new record may merge with).
  virtual Status FindSessions(std::string_view key, int64_t earliest_end, int64_t latest_start,
                              const Visitor& visit) = 0;
  virtual Status DeleteBefore(int64_t end) = 0;
};

}  // namespace streamapp
