// Diagrams of a topology: the same subtopologies, nodes and topics as
// Topology::Describe()/DescribeJson(), plus the state stores and internal
// topics, drawn as Mermaid or Graphviz (stream-app describe --format).
#pragma once

#include <string>

#include "dsl/graph.h"

namespace streamapp::dsl {

// `application_id` prefixes the internal topics as the runtime names them:
// "<application_id>-<node>-repartition", "<application_id>-<store>-changelog".
// The output depends only on the topology and the id (stable order).

// A `flowchart LR` Mermaid diagram.
std::string DescribeMermaid(const TopologyData& topology, const std::string& application_id);
// A Graphviz `digraph` (render with `dot -Tsvg`).
std::string DescribeDot(const TopologyData& topology, const std::string& application_id);

}  // namespace streamapp::dsl
