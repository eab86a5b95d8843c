// TopologyTestDriver: runs a Topology in-process, without a broker — the role
// of Kafka Streams' TopologyTestDriver. Used by C++ tests and by
// `stream-app test` (fixture files, docs/testing.md).
//
//   auto driver = TopologyTestDriver::Create(topology, {.application_id = "app"});
//   (*driver)->PipeValues("orders", Value("c1"), order, /*timestamp=*/1000);
//   for (const TestRecord& r : (*driver)->ReadOutput("totals")) ...
//   (*driver)->Restart();  // state survives through the changelogs
//
// The driver runs the engine's own tasks: one per subtopology, on partition 0
// of its topics. Records written to repartition topics (and to any topic the
// topology reads) go back in, as the broker would deliver them. Changelog
// writes are kept in memory as the changelog topics, and restoration after a
// restart reads them through the engine's restorer. Global tables are loaded
// from what was piped to (or written to) their topics.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streamapp/dsl.h"
#include "streamapp/record.h"
#include "streamapp/state_store.h"
#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp {

// A record as written to a topic: serialized bytes, as a consumer reads them.
struct TestRecord {
  std::string topic;
  std::optional<std::string> key;    // nullopt: a null key
  std::optional<std::string> value;  // nullopt: a tombstone
  int64_t timestamp = 0;
  std::vector<Header> headers;
};

struct TestDriverOptions {
  // Prefixes the internal topics: "<id>-<store>-changelog", "<id>-<step>-repartition".
  std::string application_id = "test-app";
  std::string dlq_topic;  // empty: "<application_id>-dlq"
  // The record cache of the simulated stream thread. 0 (the default): no
  // caching, so every update is visible at once; otherwise updates are
  // folded per key until Commit().
  size_t cache_max_bytes = 0;
  int64_t wall_clock_start_ms = 0;
  // Where the stores live. Empty: a fresh temporary directory, removed when
  // the driver is destroyed.
  std::string state_dir;
};

enum class RestartMode {
  // Commit, close the tasks cleanly (checkpoints written), then start them
  // again over the same local state: a clean shutdown and restart.
  kClean,
  // Commit and close, then delete the local state: every store is restored
  // from its changelog, as on a worker that takes the task over.
  kWipeState,
};

class TopologyTestDriver {
 public:
  // Creates the tasks and opens their stores. Errors: a store or processor
  // that fails to initialize.
  static Result<std::unique_ptr<TopologyTestDriver>> Create(const Topology& topology, TestDriverOptions options = {});
  ~TopologyTestDriver();
  TopologyTestDriver(const TopologyTestDriver&) = delete;
  TopologyTestDriver& operator=(const TopologyTestDriver&) = delete;

  // Feeds one record (bytes) to `topic` and processes it, and everything it
  // causes, to the end. Errors: no source reads the topic, or processing
  // stopped (an `on_error: fail` step, or a failure of the engine).
  Status Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp, std::vector<Header> headers = {});
  // As Pipe, serializing with the serdes of the source reading `topic`; a
  // null Value is a null key or a tombstone.
  Status PipeValues(const std::string& topic, const Value& key, const Value& value, int64_t timestamp,
                    std::vector<Header> headers = {});
  // The bytes PipeValues sends: serialized with the serdes of the source
  // reading `topic` (nullopt for null).
  Result<std::optional<std::string>> SerializeKey(const std::string& topic, const Value& key) const;
  Result<std::optional<std::string>> SerializeValue(const std::string& topic, const Value& value) const;

  // What a commit does: caches written down (and what they forward
  // processed), checkpoints taken.
  Status Commit();
  // Moves the simulated wall clock forward and runs the wall-clock
  // punctuators that are due.
  Status AdvanceWallClock(std::chrono::milliseconds by);
  int64_t wall_clock_ms() const;
  // Stops every task and starts it again; stream time carries over, as it
  // does through the committed offsets.
  Status Restart(RestartMode mode = RestartMode::kClean);

  // Every record written to a topic other than an internal one (repartition,
  // changelog), in the order written; the dead-letter topic included.
  const std::vector<TestRecord>& outputs() const;
  // The records of `topic` not returned by an earlier ReadOutput(topic).
  std::vector<TestRecord> ReadOutput(const std::string& topic);
  // Every record written to a changelog topic, in order.
  const std::vector<TestRecord>& changelog_records() const;

  // Decodes with the serdes of the sink that writes the record's topic; for
  // other topics (computed topics, the dead-letter topic) JSON when the bytes
  // parse as JSON, else a string. Null bytes decode to null.
  Result<Value> DecodeKey(const TestRecord& record) const;
  Result<Value> DecodeValue(const TestRecord& record) const;

  // A store of any task, or a global table's store; null when none has the name.
  StateStore* Store(const std::string& name) const;
  // A task counter summed over the tasks (e.g. "late-records-dropped").
  // Counters start from zero when the tasks restart.
  int64_t Counter(const std::string& name) const;
  const std::string& dlq_topic() const;
  // The topics Pipe accepts: the topology's sources and global tables.
  std::vector<std::string> InputTopics() const;

 private:
  class Impl;
  explicit TopologyTestDriver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamapp
