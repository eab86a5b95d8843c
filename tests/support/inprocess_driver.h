// The older name of the framework's TopologyTestDriver
// (streamapp/test_driver.h), kept for the tests written against it: the
// application id is "driver" (changelogs "driver-<store>-changelog"), and a
// driver that cannot start throws.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streamapp/test_driver.h"

namespace streamapp::testing {

using DriverOutput = TestRecord;

class InProcessDriver {
 public:
  // `cache_max_bytes`: the record cache of the (single) simulated thread.
  InProcessDriver(const Topology& topology, std::string dlq_topic, size_t cache_max_bytes = 0);
  // Feeds one record and processes it through the topology.
  Status Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp) {
    return driver_->Pipe(topic, std::move(key), std::move(value), timestamp);
  }
  const std::vector<DriverOutput>& outputs() const { return driver_->outputs(); }
  // Records written to changelog topics ("driver-<store>-changelog").
  const std::vector<DriverOutput>& changelogs() const { return driver_->changelog_records(); }
  // What a commit does to state: caches written down (and forwarded).
  Status Commit() { return driver_->Commit(); }
  // A store by name (`topic`, a topic its task reads, is not needed any more).
  StateStore* Store(const std::string& topic, const std::string& store) const { return driver_->Store(store); }
  int64_t Counter(const std::string& name) const { return driver_->Counter(name); }
  TopologyTestDriver& driver() { return *driver_; }

 private:
  std::unique_ptr<TopologyTestDriver> driver_;
};

}  // namespace streamapp::testing
