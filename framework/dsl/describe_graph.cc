// Mermaid and Graphviz diagrams of a topology. Both formats draw one
// format-neutral Diagram built here, so they always show the same things.
#include "dsl/describe_graph.h"

#include <map>
#include <string_view>
#include <vector>

#include "runtime/task_state.h"  // ChangelogTopic: the one place changelog names are made
#include "streamapp/state_store.h"

namespace streamapp::dsl {
namespace {

enum class Shape { kOperator, kSourceTopic, kSinkTopic, kInternalTopic, kStore };

enum class EdgeKind {
  kRecords,      // records flow: topic -> source -> processors -> sink -> topic
  kStoreOwner,   // an operator and the store it declares
  kStoreReader,  // an operator reading a store another one declares
  kChangelog,    // a store and the changelog topic backing it
};

struct DiagramNode {
  std::string id;                  // [A-Za-z0-9_]: needs no quoting in either format
  std::vector<std::string> label;  // lines, unescaped
  Shape shape = Shape::kOperator;
  bool internal = false;  // an internal topic: drawn dashed
};

struct DiagramCluster {
  std::string id;
  std::string title;
  std::vector<DiagramNode> nodes;
};

struct DiagramEdge {
  std::string from;
  std::string to;
  EdgeKind kind = EdgeKind::kRecords;
};

struct Diagram {
  std::vector<DiagramCluster> clusters;  // subtopologies, then global tables
  std::vector<DiagramNode> topics;       // outside every cluster: shared between them
  std::vector<DiagramEdge> edges;
};

std::string_view EdgeLabel(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kStoreReader: return "reads";
    case EdgeKind::kChangelog: return "changelog";
    case EdgeKind::kRecords:
    case EdgeKind::kStoreOwner: return {};
  }
  return {};
}

struct TopicRoles {
  bool read = false;  // by a source node or a global table
  bool written = false;
  bool repartition = false;
  bool changelog = false;
  bool global_table = false;
};

std::string TopicKindLabel(const TopicRoles& roles) {
  if (roles.repartition) return "repartition topic (internal)";
  if (roles.changelog) return "changelog topic (internal)";
  if (roles.global_table) return "global table topic";
  if (roles.read && roles.written) return "source and sink topic";
  return roles.read ? "source topic" : "sink topic";
}

std::string OperatorKindLabel(const GraphNode& node) {
  switch (node.kind) {
    case NodeKind::kSource: return "source";
    case NodeKind::kSink: return "sink";
    case NodeKind::kProcessor: return std::string(node.op->kind());
  }
  return {};
}

std::string StoreKindLabel(const StoreSpec& spec) {
  return std::string(StoreKindName(spec.kind)) + " store" + (spec.in_memory ? ", in memory" : "");
}

// The global join operator does not list the global table's store among its
// connected stores (Build() would look for a step declaring it), so the
// table is recognised by the operator's own description.
bool JoinsGlobalTable(const GraphNode& node, const GlobalTableSpec& table) {
  if (node.kind != NodeKind::kProcessor || node.op->kind() != "join-global-table") return false;
  const std::string detail = node.op->detail();
  const std::string suffix = " global table " + table.name;
  return detail.size() >= suffix.size() && detail.compare(detail.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Diagram BuildDiagram(const TopologyData& unresolved, const std::string& application_id) {
  const std::shared_ptr<const TopologyData> resolved = ResolveInternalTopics(unresolved, application_id);
  const TopologyData& data = *resolved;
  auto operator_id = [](int node) { return "node_" + std::to_string(node); };

  // Stores get ids in the order their owners appear, topics in name order.
  struct StoreEntry {
    std::string id;
    int owner = 0;  // the node declaring it; the others only draw an edge to it
  };
  std::vector<StoreEntry> stores;
  std::map<std::string, size_t> store_index;
  std::map<std::string, TopicRoles> topics;
  for (size_t i = 0; i < data.nodes.size(); ++i) {
    const GraphNode& node = data.nodes[i];
    if (node.kind == NodeKind::kSource) {
      for (const std::string& t : node.topics) topics[t].read = true;
    } else if (node.kind == NodeKind::kSink && !node.sink.topic.empty()) {
      topics[node.sink.topic].written = true;
    } else if (node.kind == NodeKind::kProcessor) {
      for (const StoreSpec& spec : node.op->stores()) {
        // Build() takes the first declaration of a store name as its owner.
        if (!store_index.emplace(spec.name, stores.size()).second) continue;
        stores.push_back({"store_" + std::to_string(stores.size()), static_cast<int>(i)});
        if (spec.logged) topics[runtime::ChangelogTopic(application_id, spec.name)].changelog = true;
      }
    }
  }
  for (const std::string& t : data.repartition_topics) topics[t].repartition = true;
  for (const GlobalTableSpec& g : data.global_tables) {
    topics[g.topic].read = true;
    topics[g.topic].global_table = true;
  }

  Diagram diagram;
  std::map<std::string, std::string> topic_id;
  for (const auto& [name, roles] : topics) {
    const std::string id = "topic_" + std::to_string(topic_id.size());
    topic_id[name] = id;
    const bool internal = roles.repartition || roles.changelog;
    const Shape shape = internal ? Shape::kInternalTopic : roles.read ? Shape::kSourceTopic : Shape::kSinkTopic;
    diagram.topics.push_back({id, {name, TopicKindLabel(roles)}, shape, internal});
  }

  for (const Subtopology& sub : data.subtopologies) {
    DiagramCluster& cluster = diagram.clusters.emplace_back();
    cluster.id = "subtopology_" + std::to_string(sub.id);
    cluster.title = "Sub-topology " + std::to_string(sub.id);
    std::vector<DiagramNode> owned_stores;  // after the operators, so they read as a group
    for (int i : sub.nodes) {
      const GraphNode& node = data.nodes[i];
      const std::string id = operator_id(i);
      cluster.nodes.push_back({id, {node.name, OperatorKindLabel(node)}, Shape::kOperator, false});
      if (node.kind == NodeKind::kSource) {
        for (const std::string& t : node.topics) diagram.edges.push_back({topic_id.at(t), id, EdgeKind::kRecords});
      }
      for (int child : node.children) diagram.edges.push_back({id, operator_id(child), EdgeKind::kRecords});
      if (node.kind == NodeKind::kSink) {
        if (node.sink.topic.empty()) {
          // Each sink with a topic computed per record gets a topic node of its own.
          const std::string computed = "computed_topic_" + std::to_string(i);
          diagram.topics.push_back({computed, {"(computed per record)", "sink topic"}, Shape::kSinkTopic, false});
          diagram.edges.push_back({id, computed, EdgeKind::kRecords});
        } else {
          diagram.edges.push_back({id, topic_id.at(node.sink.topic), EdgeKind::kRecords});
        }
      }
      if (node.kind != NodeKind::kProcessor) continue;
      for (const StoreSpec& spec : node.op->stores()) {
        const StoreEntry& store = stores[store_index.at(spec.name)];
        diagram.edges.push_back({id, store.id, EdgeKind::kStoreOwner});
        if (store.owner != i) continue;
        owned_stores.push_back({store.id, {spec.name, StoreKindLabel(spec)}, Shape::kStore, false});
        if (spec.logged) {
          diagram.edges.push_back(
              {store.id, topic_id.at(runtime::ChangelogTopic(application_id, spec.name)), EdgeKind::kChangelog});
        }
      }
      for (const std::string& name : node.op->connected_stores()) {
        auto it = store_index.find(name);
        if (it != store_index.end()) diagram.edges.push_back({stores[it->second].id, id, EdgeKind::kStoreReader});
      }
    }
    cluster.nodes.insert(cluster.nodes.end(), owned_stores.begin(), owned_stores.end());
  }

  for (size_t g = 0; g < data.global_tables.size(); ++g) {
    const GlobalTableSpec& table = data.global_tables[g];
    DiagramCluster& cluster = diagram.clusters.emplace_back();
    cluster.id = "global_table_" + std::to_string(g);
    cluster.title = "Global table: " + table.name;
    const std::string store_id = "global_store_" + std::to_string(g);
    cluster.nodes.push_back({store_id, {table.store, "global key-value store"}, Shape::kStore, false});
    diagram.edges.push_back({topic_id.at(table.topic), store_id, EdgeKind::kRecords});
    for (size_t i = 0; i < data.nodes.size(); ++i) {
      if (JoinsGlobalTable(data.nodes[i], table)) {
        diagram.edges.push_back({store_id, operator_id(static_cast<int>(i)), EdgeKind::kStoreReader});
      }
    }
  }
  return diagram;
}

// ---- Mermaid

// Inside a quoted Mermaid label `"` ends the text, `#...;` is an entity,
// `<`/`>`/`&` are HTML and a leading backtick starts markdown: all become
// entities. Line breaks would end the statement.
std::string MermaidText(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case '#': out += "#35;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '&': out += "#amp;"; break;
      case '`': out += "#96;"; break;
      default: out += (static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
  }
  return out;
}

std::string MermaidLabel(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "<br/>" : "") + MermaidText(lines[i]);
  return out;
}

std::string MermaidNode(const DiagramNode& node) {
  const std::string label = "\"" + MermaidLabel(node.label) + "\"";
  switch (node.shape) {
    case Shape::kOperator: return node.id + "[" + label + "]";
    case Shape::kSourceTopic: return node.id + "([" + label + "])";
    case Shape::kSinkTopic: return node.id + "{{" + label + "}}";
    case Shape::kInternalTopic: return node.id + "[/" + label + "/]";
    case Shape::kStore: return node.id + "[(" + label + ")]";
  }
  return node.id;
}

std::string MermaidArrow(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kRecords: return "-->";
    case EdgeKind::kStoreOwner: return "---";
    case EdgeKind::kStoreReader:
    case EdgeKind::kChangelog: return "-.->|" + std::string(EdgeLabel(kind)) + "|";
  }
  return "-->";
}

// ---- Graphviz

// A double-quoted DOT string: `"` and `\` are escaped (a backslash would
// otherwise start an escape such as \l); lines are joined with \n.
std::string DotText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  return out;
}

std::string DotLabel(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\\n" : "") + DotText(lines[i]);
  return "\"" + out + "\"";
}

std::string DotNode(const DiagramNode& node) {
  std::string shape;
  switch (node.shape) {
    case Shape::kOperator: shape = "box"; break;
    case Shape::kSourceTopic: shape = "ellipse"; break;
    case Shape::kSinkTopic: shape = "hexagon"; break;
    case Shape::kInternalTopic: shape = "parallelogram"; break;
    case Shape::kStore: shape = "cylinder"; break;
  }
  return node.id + " [shape=" + shape + (node.internal ? ", style=dashed" : "") + ", label=" + DotLabel(node.label) +
         "];";
}

std::string DotEdge(const DiagramEdge& edge) {
  std::string attributes;
  switch (edge.kind) {
    case EdgeKind::kRecords: break;
    case EdgeKind::kStoreOwner: attributes = "dir=none"; break;
    case EdgeKind::kStoreReader: attributes = "style=dotted"; break;
    case EdgeKind::kChangelog: attributes = "style=dashed"; break;
  }
  if (const std::string_view label = EdgeLabel(edge.kind); !label.empty()) {
    attributes += ", label=" + DotLabel({std::string(label)});
  }
  return edge.from + " -> " + edge.to + (attributes.empty() ? "" : " [" + attributes + "]") + ";";
}

}  // namespace

std::string DescribeMermaid(const TopologyData& topology, const std::string& application_id) {
  const Diagram diagram = BuildDiagram(topology, application_id);
  std::string out = "flowchart LR\n";
  for (const DiagramCluster& cluster : diagram.clusters) {
    out += "  subgraph " + cluster.id + "[\"" + MermaidText(cluster.title) + "\"]\n";
    for (const DiagramNode& node : cluster.nodes) out += "    " + MermaidNode(node) + "\n";
    out += "  end\n";
  }
  std::string internal;
  for (const DiagramNode& node : diagram.topics) {
    out += "  " + MermaidNode(node) + "\n";
    if (node.internal) internal += (internal.empty() ? "" : ",") + node.id;
  }
  for (const DiagramEdge& edge : diagram.edges)
    out += "  " + edge.from + " " + MermaidArrow(edge.kind) + " " + edge.to + "\n";
  out += "  classDef internal stroke-dasharray: 5 5\n";
  if (!internal.empty()) out += "  class " + internal + " internal\n";
  return out;
}

std::string DescribeDot(const TopologyData& topology, const std::string& application_id) {
  const Diagram diagram = BuildDiagram(topology, application_id);
  std::string out = "digraph topology {\n  rankdir=LR;\n";
  for (const DiagramCluster& cluster : diagram.clusters) {
    // Only subgraphs named cluster* are drawn as boxes.
    out += "  subgraph cluster_" + cluster.id + " {\n    label=" + DotLabel({cluster.title}) + ";\n";
    for (const DiagramNode& node : cluster.nodes) out += "    " + DotNode(node) + "\n";
    out += "  }\n";
  }
  for (const DiagramNode& node : diagram.topics) out += "  " + DotNode(node) + "\n";
  for (const DiagramEdge& edge : diagram.edges) out += "  " + DotEdge(edge) + "\n";
  out += "}\n";
  return out;
}

}  // namespace streamapp::dsl
