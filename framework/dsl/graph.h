// The logical graph the DSL and the YAML loader build, and the validated
// form the runtime executes. Internal: users see dsl.h.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "streamapp/dsl.h"

namespace streamapp::dsl {

enum class NodeKind { kSource, kProcessor, kSink };
std::string_view NodeKindName(NodeKind kind);

struct SinkSpec {
  std::string topic;         // fixed topic; empty when `extractor` picks it
  TopicExtractor extractor;  // topic computed from the record
  Produced produced;
};

struct GraphNode {
  std::string name;
  NodeKind kind = NodeKind::kProcessor;
  // kSource
  std::vector<std::string> topics;
  Consumed consumed;
  // kProcessor
  std::shared_ptr<const OperatorDef> op;
  // kSink
  SinkSpec sink;

  std::string detail;  // for descriptions; empty: the operator's own
  // Table nodes: how the table's store encodes values (joins read it).
  std::shared_ptr<const Serde> table_value_serde;
  ErrorHandling on_error = ErrorHandling::kDlq;
  std::vector<int> parents;
  std::vector<int> children;  // in attach order: ForwardTo(i) reaches children[i]
  // This node or one upstream of it changed the key. A stateful step placed
  // here needs a repartition topic first.
  bool key_changed = false;
};

// A global table: every worker reads all partitions of `topic` into a local
// store (no changelog: the topic is its own changelog).
struct GlobalTableSpec {
  std::string name;
  std::string topic;
  std::string store;
  std::shared_ptr<const Serde> key_serde;
  std::shared_ptr<const Serde> value_serde;
};

struct LogicalGraph {
  std::vector<GlobalTableSpec> global_tables;
  std::vector<GraphNode> nodes;
  std::set<std::string> repartition_topics;           // unprefixed: "<step>-repartition"
  std::map<std::string, StoreOptions> store_options;  // StreamsBuilder::ConfigureStore
  std::vector<std::string> errors;                    // found while building; reported by Build()
};

// `op` with the options of `options` applied to the stores it declares;
// `op` itself when none applies.
std::shared_ptr<const OperatorDef> WithStoreOptions(std::shared_ptr<const OperatorDef> op,
                                                    const std::map<std::string, StoreOptions>& options);

struct Subtopology {
  int id = 0;
  std::vector<std::string> source_topics;  // sorted
  std::vector<int> nodes;                  // parents before children
};

struct TopologyData {
  std::vector<GraphNode> nodes;
  std::vector<Subtopology> subtopologies;
  std::map<std::string, int> source_node_of_topic;
  std::map<std::string, int> subtopology_of_topic;
  std::set<std::string> repartition_topics;  // internal: written and read by the app itself
  std::vector<GlobalTableSpec> global_tables;
};

// A copy with the internal topics named for an application:
// "<step>-repartition" becomes "<application-id>-<step>-repartition".
std::shared_ptr<const TopologyData> ResolveInternalTopics(const TopologyData& data, const std::string& application_id);

// Partition counts per subtopology from the counts of external source
// topics (`external`); repartition topics take their writer's count.
// Subtopologies whose count is unknown are left out; sources of one
// subtopology with different counts are reported in `problems`. Topics
// missing from `external` are skipped.
std::map<int, int> ResolvePartitionCounts(const TopologyData& topology, const std::map<std::string, int>& external,
                                          std::vector<std::string>& problems);

}  // namespace streamapp::dsl
