// Internal: the layers a store is built from (see OpenStore in stores.h).
//
//   MeteredStore -> CachingStore -> ChangeLoggingStore -> RocksDbStore | InMemoryStore
//
// Every layer is a LayeredStore: a KeyValueStore of bytes plus two calls the
// layers need between themselves (Write with an explicit timestamp, so a
// cache flush stamps changelog records with the time of the record that
// wrote the entry; Expire, so retention does not reach flush listeners).
// Window and session stores are facades over a LayeredStore.
//
// Not thread-safe: a store belongs to one task, used from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "state/stores.h"
#include "streamapp/state_store.h"

namespace streamapp::state {

using Clock = std::function<int64_t()>;

class LayeredStore : public KeyValueStore {
 public:
  // Put (value) or Delete (nullopt), stamped with `timestamp`.
  virtual Status Write(std::string_view key, std::optional<std::string_view> value, int64_t timestamp) = 0;
  // Deletes a key that fell out of retention: logged (a tombstone) but never
  // reported to a flush listener; a cached update of the key is dropped.
  virtual Status Expire(std::string_view key) = 0;
};

// Inner stores: also what restoration writes to.
class InnerStore : public LayeredStore, public RestoreTarget {};

Result<std::unique_ptr<InnerStore>> OpenRocksDbStore(const StoreSpec& spec, const std::string& task_dir,
                                                     StateResources* resources);
std::unique_ptr<InnerStore> NewInMemoryStore(const StoreSpec& spec);

std::unique_ptr<LayeredStore> NewChangeLoggingStore(std::unique_ptr<LayeredStore> inner, ChangelogWriter* writer,
                                                    std::string topic, PartitionId partition, Clock clock,
                                                    StoreMetrics* metrics);
std::unique_ptr<LayeredStore> NewCachingStore(std::unique_ptr<LayeredStore> inner, ThreadCache* cache, Clock clock,
                                              StoreMetrics* metrics);
// Owns `metrics` (the other layers point to it).
std::unique_ptr<LayeredStore> NewMeteredStore(std::unique_ptr<LayeredStore> inner,
                                              std::unique_ptr<StoreMetrics> metrics);

std::unique_ptr<WindowStore> NewWindowStore(std::unique_ptr<LayeredStore> kv);
std::unique_ptr<SessionStore> NewSessionStore(std::unique_ptr<LayeredStore> kv);

}  // namespace streamapp::state
