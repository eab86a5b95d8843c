// What the HTTP endpoint asks of a worker. The runtime implements it over
// its stream threads; tests use a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observe/metrics.h"
#include "streamapp/status.h"

namespace streamapp::observe {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not (or a summary when ready)
};

// An interactive query of a local store.
struct StoreQuery {
  std::string store;
  std::optional<std::string> key;       // a key lookup (or, with from/to, a window fetch)
  std::optional<std::string> from, to;  // a range of keys, or of window start times with a key
};

struct StoreEntry {
  std::string key;
  std::string value;                    // the stored bytes
  std::optional<int64_t> window_start;  // window stores
};

struct StoreAnswer {
  // OK: `entries` (empty for a key lookup: the key has no value).
  // NotFound with `partition` set: the key's partition is not hosted here.
  // NotFound without: no such store. Other errors: the query failed.
  Status status;
  std::vector<StoreEntry> entries;
  std::optional<int32_t> partition;
  std::string owner;  // the worker hosting the partition, when known
};

class WorkerView {
 public:
  virtual ~WorkerView() = default;
  virtual Readiness Ready() = 0;
  virtual std::vector<MetricFamily> CollectMetrics() = 0;
  virtual std::string TopologyJson() = 0;
  virtual StoreAnswer QueryStore(const StoreQuery& query) = 0;
};

}  // namespace streamapp::observe
