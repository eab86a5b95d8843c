// The C++ DSL: StreamsBuilder -> logical graph -> validated Topology.
//
//   StreamsBuilder b;
//   b.Stream("orders-in", "orders", {.key = str, .value = json})
//       .Filter("positive", [](const Record& r) -> Result<bool> { ... })
//       .SelectKey("by-customer", ...)
//       .To("out", "orders-by-customer", {.key = str, .value = json});
//   Result<Topology> t = b.Build();
//
// Every node has a unique name (the YAML loader derives them from pipeline
// and step); names are what stores and internal topics will be named after.
// Methods never fail on the spot: problems are collected and Build() reports
// all of them.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streamapp/aggregation.h"
#include "streamapp/processor.h"
#include "streamapp/record.h"
#include "streamapp/serde.h"
#include "streamapp/status.h"

namespace streamapp {

// What happens to a record that fails to deserialize or to process.
enum class ErrorHandling {
  kDlq,   // original bytes to the dead-letter topic, with headers naming the error
  kSkip,  // counted and logged, then dropped
  kFail,  // the application stops with the error
};
std::string_view ErrorHandlingName(ErrorHandling h);

// Where a record's timestamp comes from.
struct TimestampSpec {
  // Empty: the Kafka record timestamp. Otherwise a path into the value holding
  // epoch milliseconds (number) or an ISO-8601 string.
  std::string field;
  // > 0: a timestamp more than this ahead of the worker's clock is a data
  // error (the record goes to the error handler) instead of moving stream
  // time there, which would close every open window at once.
  std::chrono::milliseconds max_future{0};
};

struct Consumed {
  std::shared_ptr<const Serde> key;
  std::shared_ptr<const Serde> value;
  TimestampSpec timestamp;
  // The partition count the topics are declared to have; 0: not declared.
  // Build() checks co-partitioning with the declared counts, and the
  // runtime refuses to start when a topic has another count.
  int partitions = 0;
};

struct Produced {
  std::shared_ptr<const Serde> key;
  std::shared_ptr<const Serde> value;
};

using Predicate = std::function<Result<bool>(const Record&)>;
using RecordMapper = std::function<Result<Record>(Record)>;
using ValueMapper = std::function<Result<Value>(const Record&)>;
using FlatMapper = std::function<Result<std::vector<Record>>(Record)>;
using KeySelector = std::function<Result<Value>(const Record&)>;
using RecordAction = std::function<void(const Record&)>;
using TopicExtractor = std::function<Result<std::string>(const Record&)>;

struct BranchSpec {
  std::string name;
  Predicate predicate;  // empty: the default branch (takes what no other took)
};

// Serdes of the repartition topic a grouping writes through when the key
// changed upstream (defaults: string keys, JSON values).
struct Grouped {
  std::shared_ptr<const Serde> key;
  std::shared_ptr<const Serde> value;
};

// How a store is kept, overriding what the step declaring it chose
// (StreamsBuilder::ConfigureStore). Unset fields keep the step's choice.
struct StoreOptions {
  std::optional<bool> in_memory;  // false: RocksDB
  std::optional<bool> cached;     // fold repeated updates of a key between commits
  std::optional<bool> logged;     // false: no changelog; the state lives only in local files
};

// How a stateful step keeps its state.
struct Materialized {
  std::string store;                   // empty: the step's name
  std::shared_ptr<const Serde> key;    // store key encoding (default string)
  std::shared_ptr<const Serde> value;  // aggregate encoding (default json)
  bool in_memory = false;
  bool cached = true;
};

using Reducer = std::function<Result<Value>(Value aggregate, const Value& value)>;

enum class JoinType { kInner, kLeft, kOuter };
// Combines the two sides of a join; a missing side (left/outer joins) is null.
using ValueJoiner = std::function<Result<Value>(const Record& left, const Value& right)>;

// A stream-stream join matches records whose timestamps differ by at most
// `before` (right earlier than left) / `after` (right later than left).
struct JoinWindows {
  std::chrono::milliseconds before{0};
  std::chrono::milliseconds after{0};
  std::chrono::milliseconds grace{0};
};

class Topology;
class StreamsBuilder;
class KGroupedStream;

// A handle on a node of the graph under construction. Copyable; cheap.
class KStream {
 public:
  KStream Filter(std::string name, Predicate predicate) const;
  // May change key, value, timestamp and headers; marks the key as changed.
  KStream Map(std::string name, RecordMapper mapper) const;
  KStream MapValues(std::string name, ValueMapper mapper) const;
  KStream FlatMap(std::string name, FlatMapper mapper) const;
  KStream SelectKey(std::string name, KeySelector selector) const;
  KStream Peek(std::string name, RecordAction action) const;
  // First match wins; a branch with no predicate takes the rest. One stream
  // per branch, in the order given.
  std::vector<KStream> Branch(std::string name, std::vector<BranchSpec> branches) const;
  KStream Merge(std::string name, const KStream& other) const;
  // A custom operator (plugins, domain operators). One that needs
  // co-partitioning (it keeps per-key state) placed after a key change reads
  // through the repartition topic "<name>-repartition" (string keys, JSON
  // values), as an aggregation does.
  KStream Process(std::string name, std::shared_ptr<const OperatorDef> op) const;
  void To(std::string name, std::string topic, Produced produced) const;
  void To(std::string name, TopicExtractor topic, Produced produced) const;

  // Joins each record with the current value of its key in `table` (a
  // handle from StreamsBuilder::Table); inner or left. The stream and the
  // table must be co-partitioned.
  KStream JoinTable(std::string name, const KStream& table, JoinType type, ValueJoiner joiner) const;
  // Windowed stream-stream join (inner, left, outer); the two sides run in
  // nodes "<name>-this" / "<name>-other" and are kept in window stores
  // "<name>-this-store" / "<name>-other-store".
  KStream JoinStream(std::string name, const KStream& other, JoinWindows windows, JoinType type,
                     ValueJoiner joiner) const;
  // Table-table join: this handle and `other` are tables; emits the joined
  // value of a key whenever either side changes (null when the join no
  // longer holds).
  KStream JoinTables(std::string name, const KStream& other, JoinType type, ValueJoiner joiner) const;

  // Joins each record with the value of global table `global_table` under
  // the key `key` computes (inner or left). Needs no co-partitioning: every
  // worker holds the whole global table.
  KStream JoinGlobalTable(std::string name, const std::string& global_table, KeySelector key, JoinType type,
                          ValueJoiner joiner) const;

  // Groups by the current key; stateful steps on the result read through a
  // repartition topic "<step>-repartition" if the key changed upstream.
  KGroupedStream GroupByKey(Grouped grouped = {}) const;
  // Selects a new key, then groups by it (always repartitions).
  KGroupedStream GroupBy(std::string name, KeySelector selector, Grouped grouped = {}) const;

  // Nodes added downstream of the returned handle use this error handling.
  KStream OnError(ErrorHandling handling) const;
  // Sets the one-line description of this node shown by Describe(), e.g. the
  // expression a YAML step was written with.
  KStream WithDetail(std::string detail) const;

  // True when some node between a source and here changed the key.
  bool key_changed() const;
  int node() const { return node_; }

 private:
  friend class StreamsBuilder;
  friend class KGroupedStream;
  KStream(StreamsBuilder* builder, int node, ErrorHandling handling)
      : builder_(builder), node_(node), handling_(handling) {}
  KStream Add(std::string name, std::shared_ptr<const OperatorDef> op, std::vector<int> parents) const;

  StreamsBuilder* builder_;
  int node_;
  ErrorHandling handling_;
};

// A stream grouped by key, ready for aggregation. Every result is a stream
// of updates: (key, aggregate) — or, windowed, (key, {window_start,
// window_end, value}).
class KGroupedStream {
 public:
  KStream Aggregate(std::string name, AggregationFns fns, Materialized materialized = {}, Finisher finish = {}) const;
  KStream Count(std::string name, Materialized materialized = {}) const;
  KStream Reduce(std::string name, Reducer reducer, Materialized materialized = {}) const;
  KStream WindowedAggregate(std::string name, WindowSpec window, EmitMode emit, AggregationFns fns,
                            Materialized materialized = {}, Finisher finish = {}) const;

 private:
  friend class KStream;
  KGroupedStream(KStream stream, Grouped grouped) : stream_(stream), grouped_(std::move(grouped)) {}
  // The stream a stateful step reads: through a repartition topic if needed.
  KStream Partitioned(const std::string& name) const;

  KStream stream_;
  Grouped grouped_;
};

namespace dsl {
struct LogicalGraph;
}

class StreamsBuilder {
 public:
  StreamsBuilder();
  ~StreamsBuilder();
  StreamsBuilder(const StreamsBuilder&) = delete;
  StreamsBuilder& operator=(const StreamsBuilder&) = delete;

  KStream Stream(std::string name, std::vector<std::string> topics, Consumed consumed,
                 ErrorHandling handling = ErrorHandling::kDlq);
  // A global table: every worker keeps the latest value per key of all
  // partitions of `topic` (store "<name>" unless materialized.store says
  // otherwise), loaded before processing starts and kept up to date.
  void GlobalTable(std::string name, std::string topic, Consumed consumed, Materialized materialized = {});
  // A table: the latest value per key of the topics (a null value deletes),
  // kept in a store; the stream of its updates.
  KStream Table(std::string name, std::vector<std::string> topics, Consumed consumed, Materialized materialized = {},
                ErrorHandling handling = ErrorHandling::kDlq);

  // Sets how the store `name` is kept, whichever step declares it (by an
  // explicit name or the one derived from its node name). Build() reports
  // a name no step declares.
  void ConfigureStore(std::string name, StoreOptions options);
  // The stores declared by the steps added so far, in order (global
  // tables' stores not included).
  std::vector<std::string> StoreNames() const;

  // Validates the graph and splits it into subtopologies. Reports every
  // problem found, one per line.
  Result<Topology> Build();

 private:
  friend class KStream;
  friend class KGroupedStream;
  std::unique_ptr<dsl::LogicalGraph> graph_;
};

namespace dsl {
struct TopologyData;
}

// A validated topology, ready to run. Immutable and shareable.
class Topology {
 public:
  std::vector<std::string> SourceTopics() const;
  std::vector<std::string> SinkTopics() const;  // fixed topics only
  // Subtopologies, their nodes and topics.
  std::string Describe() const;
  std::string DescribeJson() const;

  const dsl::TopologyData& data() const { return *data_; }
  std::shared_ptr<const dsl::TopologyData> data_ptr() const { return data_; }

 private:
  friend class StreamsBuilder;
  explicit Topology(std::shared_ptr<const dsl::TopologyData> data) : data_(std::move(data)) {}
  std::shared_ptr<const dsl::TopologyData> data_;
};

}  // namespace streamapp
