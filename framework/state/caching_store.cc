// The caching layer: folds repeated updates of a key between commits.
//
// Writes stay in a per-store ordered map (key -> latest value or tombstone,
// timestamp of the record that wrote it, dirty flag) whose bytes count
// against the thread's shared ThreadCache. Reads look in the cache first.
//
// Writing down: Flush() writes every dirty entry to the layer below (the
// change-logging layer, so one changelog record per key per flush) in KEY
// ORDER, and for each calls the flush listener with (key, new value, old
// value read from the layer below just before the write, timestamp). Written
// values stay cached (clean); written tombstones are dropped.
//
// Eviction: when a write leaves the ThreadCache over budget, this store
// writes down and drops its own LEAST RECENTLY WRITTEN entries (dirty ones go
// through the listener, clean ones are just dropped) until the ThreadCache is
// within budget or this store's cache is empty. Reads do not refresh an
// entry's position, and reads that miss are not cached.
//
// Close() drops what was not flushed: the runtime flushes at every commit, so
// unflushed updates belong to records whose offsets were not committed.
#include <list>
#include <map>
#include <vector>

#include "state/layers.h"

namespace streamapp::state {
namespace {

// Bookkeeping per entry beyond its key and value bytes (map node, list node,
// the entry itself), an estimate as Kafka Streams' cache makes one.
constexpr size_t kEntryOverhead = 96;

class CachingStore final : public LayeredStore {
 public:
  CachingStore(std::unique_ptr<LayeredStore> inner, ThreadCache* cache, Clock clock, StoreMetrics* metrics)
      : inner_(std::move(inner)), cache_(cache), clock_(std::move(clock)), metrics_(metrics) {}
  ~CachingStore() override { DropAll(); }

  const StoreSpec& spec() const override { return inner_->spec(); }

  bool SetFlushListener(FlushListener listener, OldValues old_values) override {
    listener_ = std::move(listener);
    read_old_values_ = old_values == OldValues::kRead;
    return true;
  }

  Status Flush() override {
    std::vector<std::string> dirty;
    for (const auto& [key, entry] : entries_) {
      if (entry.dirty) dirty.push_back(key);
    }
    for (const std::string& key : dirty) {
      auto it = entries_.find(key);
      if (it == entries_.end() || !it->second.dirty) continue;  // the listener changed the cache
      RETURN_IF_ERROR(WriteDown(key, it->second));
      it = entries_.find(key);
      if (it != entries_.end() && !it->second.dirty && !it->second.value) Erase(it);
    }
    return inner_->Flush();
  }

  void Close() override {
    DropAll();
    inner_->Close();
  }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    auto it = entries_.find(key);
    if (it == entries_.end()) return inner_->Get(key);
    if (metrics_ != nullptr) ++metrics_->cache_hits;
    return it->second.value;
  }

  Status Put(std::string_view key, std::string_view value) override { return Write(key, value, Now()); }
  Status Delete(std::string_view key) override { return Write(key, std::nullopt, Now()); }

  Status Write(std::string_view key, std::optional<std::string_view> value, int64_t timestamp) override {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(std::string(key), Entry{}).first;
      order_.push_back(it->first);
      it->second.position = std::prev(order_.end());
    } else {
      order_.splice(order_.end(), order_, it->second.position);
    }
    Entry& entry = it->second;
    if (value) {
      entry.value.emplace(*value);
    } else {
      entry.value.reset();
    }
    entry.timestamp = timestamp;
    entry.dirty = true;
    Account(it->first, entry);
    if (cache_->over_budget() && !writing_down_) return Evict();
    return Status::Ok();
  }

  Status Expire(std::string_view key) override {
    auto it = entries_.find(key);
    if (it != entries_.end()) Erase(it);
    return inner_->Expire(key);
  }

  // Merges the cache (a snapshot of its entries in range, so the visitor may
  // write to the store) with the layer below: cached values override, cached
  // tombstones hide.
  Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) override {
    std::vector<std::pair<std::string, std::optional<std::string>>> cached;
    auto it = from.empty() ? entries_.begin() : entries_.lower_bound(from);
    for (; it != entries_.end() && (to.empty() || std::string_view(it->first) < to); ++it) {
      cached.emplace_back(it->first, it->second.value);
    }
    size_t next = 0;
    bool stopped = false;
    // Visits the next cached entry; false when the visitor stopped.
    auto visit_cached = [&]() {
      const auto& [key, value] = cached[next++];
      if (value && !visit(key, *value)) stopped = true;
      return !stopped;
    };
    RETURN_IF_ERROR(inner_->Range(from, to, [&](std::string_view key, std::string_view value) {
      while (next < cached.size() && std::string_view(cached[next].first) < key) {
        if (!visit_cached()) return false;
      }
      if (next < cached.size() && cached[next].first == key) return visit_cached();
      if (!visit(key, value)) stopped = true;
      return !stopped;
    }));
    while (!stopped && next < cached.size()) visit_cached();
    return Status::Ok();
  }

  // What the layer below holds; updates still in the cache are not counted.
  Result<uint64_t> ApproximateCount() override { return inner_->ApproximateCount(); }

 private:
  struct Entry {
    std::optional<std::string> value;  // nullopt: deleted
    int64_t timestamp = 0;
    bool dirty = false;
    size_t bytes = 0;                                // charged to the ThreadCache
    std::list<std::string_view>::iterator position;  // in order_
  };
  using Entries = std::map<std::string, Entry, std::less<>>;

  int64_t Now() const { return clock_ ? clock_() : 0; }

  void Account(const std::string& key, Entry& entry) {
    size_t bytes = key.size() + (entry.value ? entry.value->size() : 0) + kEntryOverhead;
    cache_->Add(static_cast<std::ptrdiff_t>(bytes) - static_cast<std::ptrdiff_t>(entry.bytes));
    bytes_ = bytes_ + bytes - entry.bytes;
    entry.bytes = bytes;
  }

  void Erase(Entries::iterator it) {
    cache_->Add(-static_cast<std::ptrdiff_t>(it->second.bytes));
    bytes_ -= it->second.bytes;
    order_.erase(it->second.position);
    entries_.erase(it);
  }

  void DropAll() {
    cache_->Add(-static_cast<std::ptrdiff_t>(bytes_));
    bytes_ = 0;
    order_.clear();
    entries_.clear();
  }

  // Writes a dirty entry to the layer below, then tells the listener. The
  // entry is clean before the listener runs, so a listener that writes to
  // this store sees a consistent cache (eviction is suspended meanwhile). If
  // the write down fails the entry stays dirty.
  Status WriteDown(const std::string& key, Entry& entry) {
    std::optional<std::string> value = entry.value;
    int64_t timestamp = entry.timestamp;
    std::optional<std::string_view> new_view;
    if (value) new_view = *value;
    std::optional<std::string> old;
    if (listener_ && read_old_values_) {
      auto got = inner_->Get(key);
      if (!got.ok()) return got.status();
      old = std::move(*got);
    }
    RETURN_IF_ERROR(inner_->Write(key, new_view, timestamp));  // the layers below never call back
    entry.dirty = false;
    if (!listener_) return Status::Ok();
    std::optional<std::string_view> old_view;
    if (old) old_view = *old;
    bool saved = writing_down_;
    writing_down_ = true;
    Status status = listener_(key, new_view, old_view, timestamp);
    writing_down_ = saved;
    return status;
  }

  Status Evict() {
    while (cache_->over_budget() && !order_.empty()) {
      auto it = entries_.find(order_.front());
      if (it->second.dirty) {
        std::string key = it->first;  // the listener may change the cache
        RETURN_IF_ERROR(WriteDown(key, it->second));
        it = entries_.find(key);
        if (it == entries_.end() || it->second.dirty) continue;  // rewritten: now most recent
      }
      Erase(it);
    }
    return Status::Ok();
  }

  std::unique_ptr<LayeredStore> inner_;
  ThreadCache* cache_;
  Clock clock_;
  StoreMetrics* metrics_;
  FlushListener listener_;
  bool read_old_values_ = false;
  Entries entries_;
  std::list<std::string_view> order_;  // keys of entries_, least recently written first
  size_t bytes_ = 0;                   // this store's share of the ThreadCache
  bool writing_down_ = false;
};

}  // namespace

std::unique_ptr<LayeredStore> NewCachingStore(std::unique_ptr<LayeredStore> inner, ThreadCache* cache, Clock clock,
                                              StoreMetrics* metrics) {
  return std::make_unique<CachingStore>(std::move(inner), cache, std::move(clock), metrics);
}

}  // namespace streamapp::state
