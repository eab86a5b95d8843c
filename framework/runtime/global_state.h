// Global tables: every worker loads all partitions of each global table's
// topic into a local RocksDB store before processing starts, then keeps it up
// to date on a thread of its own. Stream tasks read these stores directly
// (RocksDB reads are safe alongside the updating thread).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dsl/graph.h"
#include "kafka/clients.h"
#include "runtime/changelog_restorer.h"
#include "state/stores.h"
#include "streamapp/streams_config.h"

namespace streamapp::runtime {

class GlobalState {
 public:
  GlobalState(std::vector<dsl::GlobalTableSpec> tables, const StreamsConfig& config, state::StateResources* resources);
  ~GlobalState();

  // Opens the stores and reads every partition to its end (from the
  // checkpoint when there is one).
  Status Bootstrap();
  // Applies new records until `stop` is set.
  void Start(const std::atomic<bool>& stop);
  // Waits for the update thread, checkpoints and closes the stores.
  Status Stop();

  const std::map<std::string, KeyValueStore*>& stores() const { return stores_; }

 private:
  struct Table {
    dsl::GlobalTableSpec spec;
    state::OpenedStore opened;
  };

  void Run(const std::atomic<bool>& stop);
  Status Checkpoint();

  std::vector<dsl::GlobalTableSpec> specs_;
  const StreamsConfig& config_;
  state::StateResources* resources_;
  std::string dir_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Admin> admin_;
  std::map<std::string, Table> tables_;                // by topic
  std::map<kafka::TopicPartition, Offset> positions_;  // next offset to apply
  std::map<std::string, KeyValueStore*> stores_;       // by store name
  std::thread thread_;
  Status thread_status_;
};

}  // namespace streamapp::runtime
