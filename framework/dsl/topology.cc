// StreamsBuilder::Build: validation and the split into subtopologies; and
// Topology's descriptions.
#include <algorithm>
#include <functional>
#include <numeric>
#include <set>

#include "dsl/graph.h"

namespace streamapp {

using dsl::GraphNode;
using dsl::NodeKind;

namespace dsl {

std::string_view NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kSource: return "Source";
    case NodeKind::kProcessor: return "Processor";
    case NodeKind::kSink: return "Sink";
  }
  return "?";
}

namespace {

// Union-find over node ids: a subtopology is a connected component.
int Find(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

void Validate(const LogicalGraph& graph, std::vector<std::string>& errors) {
  std::set<std::string> names;
  std::map<std::string, std::string> topic_owner;
  for (const GraphNode& n : graph.nodes) {
    if (n.name.empty()) errors.push_back("a node has an empty name");
    if (!names.insert(n.name).second) errors.push_back("duplicate node name '" + n.name + "'");
    if (n.kind == NodeKind::kSource) {
      for (const std::string& t : n.topics) {
        auto [it, fresh] = topic_owner.emplace(t, n.name);
        if (!fresh) errors.push_back("topic '" + t + "' is read by both '" + it->second + "' and '" + n.name + "'");
      }
    }
  }
}

}  // namespace

std::shared_ptr<const TopologyData> ResolveInternalTopics(const TopologyData& data, const std::string& application_id) {
  auto out = std::make_shared<TopologyData>(data);
  auto rename = [&](std::string& topic) {
    if (data.repartition_topics.count(topic)) topic = application_id + "-" + topic;
  };
  for (GraphNode& n : out->nodes) {
    for (std::string& t : n.topics) rename(t);
    rename(n.sink.topic);
  }
  out->source_node_of_topic.clear();
  out->subtopology_of_topic.clear();
  for (Subtopology& s : out->subtopologies) {
    for (std::string& t : s.source_topics) {
      const std::string original = t;
      rename(t);
      out->source_node_of_topic[t] = data.source_node_of_topic.at(original);
      out->subtopology_of_topic[t] = s.id;
    }
    std::sort(s.source_topics.begin(), s.source_topics.end());
  }
  out->repartition_topics.clear();
  for (const std::string& t : data.repartition_topics) out->repartition_topics.insert(application_id + "-" + t);
  return out;
}

}  // namespace dsl

Result<Topology> StreamsBuilder::Build() {
  const dsl::LogicalGraph& graph = *graph_;
  std::vector<std::string> errors = graph.errors;
  dsl::Validate(graph, errors);
  if (graph.nodes.empty()) errors.push_back("the topology has no streams");
  for (const auto& g : graph.global_tables) {
    if (graph.nodes.size() > 0 && std::any_of(graph.nodes.begin(), graph.nodes.end(), [&](const GraphNode& n) {
          return n.kind == NodeKind::kSource && std::find(n.topics.begin(), n.topics.end(), g.topic) != n.topics.end();
        })) {
      errors.push_back("topic '" + g.topic + "' of global table '" + g.name + "' is also read by a stream");
    }
  }
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(msg);
  }

  auto data = std::make_shared<dsl::TopologyData>();
  data->nodes = graph.nodes;
  data->repartition_topics = graph.repartition_topics;
  data->global_tables = graph.global_tables;
  const int n = static_cast<int>(data->nodes.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (int i = 0; i < n; ++i) {
    for (int c : data->nodes[i].children) parent[dsl::Find(parent, c)] = dsl::Find(parent, i);
  }
  // A node reading another node's store runs in the same task as it.
  std::map<std::string, int> owner_of_store;
  for (int i = 0; i < n; ++i) {
    const GraphNode& node = data->nodes[i];
    if (node.kind != NodeKind::kProcessor) continue;
    for (const StoreSpec& spec : node.op->stores()) owner_of_store.emplace(spec.name, i);
  }
  for (int i = 0; i < n; ++i) {
    const GraphNode& node = data->nodes[i];
    if (node.kind != NodeKind::kProcessor) continue;
    for (const std::string& store : node.op->connected_stores()) {
      auto it = owner_of_store.find(store);
      if (it == owner_of_store.end()) {
        errors.push_back("'" + node.name + "' reads store '" + store + "', which no step declares");
        continue;
      }
      parent[dsl::Find(parent, i)] = dsl::Find(parent, it->second);
    }
  }
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(msg);
  }
  // Subtopology ids follow the order in which their first node was added,
  // so they are stable for an unchanged topology file.
  std::map<int, int> id_of_root;
  for (int i = 0; i < n; ++i) {
    int root = dsl::Find(parent, i);
    auto [it, fresh] = id_of_root.emplace(root, static_cast<int>(data->subtopologies.size()));
    if (fresh) data->subtopologies.push_back({it->second, {}, {}});
    data->subtopologies[it->second].nodes.push_back(i);  // node ids are already topologically ordered
  }
  for (dsl::Subtopology& s : data->subtopologies) {
    for (int i : s.nodes) {
      const GraphNode& node = data->nodes[i];
      if (node.kind != NodeKind::kSource) continue;
      for (const std::string& t : node.topics) {
        s.source_topics.push_back(t);
        data->source_node_of_topic[t] = i;
        data->subtopology_of_topic[t] = s.id;
      }
    }
    std::sort(s.source_topics.begin(), s.source_topics.end());
  }
  return Topology(std::move(data));
}

std::vector<std::string> Topology::SourceTopics() const {
  std::vector<std::string> out;
  for (const auto& [topic, node] : data_->source_node_of_topic) out.push_back(topic);
  return out;
}

std::vector<std::string> Topology::SinkTopics() const {
  std::set<std::string> out;
  for (const GraphNode& n : data_->nodes) {
    if (n.kind == NodeKind::kSink && !n.sink.topic.empty() && !data_->repartition_topics.count(n.sink.topic)) {
      out.insert(n.sink.topic);
    }
  }
  return {out.begin(), out.end()};
}

namespace {

std::string NodeDetail(const GraphNode& n) {
  switch (n.kind) {
    case NodeKind::kSource: {
      std::string topics;
      for (const auto& t : n.topics) topics += (topics.empty() ? "" : ", ") + t;
      std::string s =
          "topics: [" + topics + "], key: " + n.consumed.key->spec() + ", value: " + n.consumed.value->spec();
      if (!n.consumed.timestamp.field.empty()) s += ", timestamp: " + n.consumed.timestamp.field;
      return s;
    }
    case NodeKind::kProcessor: {
      std::string s(n.op->kind());
      std::string detail = n.detail.empty() ? n.op->detail() : n.detail;
      if (!detail.empty()) s += ": " + detail;
      return s;
    }
    case NodeKind::kSink:
      return (n.sink.topic.empty() ? std::string("topic: <computed per record>") : "topic: " + n.sink.topic) +
             ", key: " + n.sink.produced.key->spec() + ", value: " + n.sink.produced.value->spec();
  }
  return {};
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += Value(s).ToJson();
}

}  // namespace

std::string Topology::Describe() const {
  std::string out = "Topology\n";
  for (const dsl::Subtopology& s : data_->subtopologies) {
    out += "  Sub-topology: " + std::to_string(s.id) + "\n";
    for (int i : s.nodes) {
      const GraphNode& n = data_->nodes[i];
      out += "    " + std::string(dsl::NodeKindName(n.kind)) + ": " + n.name + " (" + NodeDetail(n) + ")";
      if (n.key_changed && n.kind != NodeKind::kSource) out += " [key changed]";
      out += "\n";
      if (!n.children.empty()) {
        out += "      --> ";
        for (size_t c = 0; c < n.children.size(); ++c) out += (c ? ", " : "") + data_->nodes[n.children[c]].name;
        out += "\n";
      }
      if (!n.parents.empty()) {
        out += "      <-- ";
        for (size_t p = 0; p < n.parents.size(); ++p) out += (p ? ", " : "") + data_->nodes[n.parents[p]].name;
        out += "\n";
      }
    }
  }
  for (const dsl::GlobalTableSpec& g : data_->global_tables) {
    out += "  Global table: " + g.name + " (topic: " + g.topic + ", store: " + g.store +
           ", key: " + g.key_serde->spec() + ", value: " + g.value_serde->spec() + ")\n";
  }
  return out;
}

std::string Topology::DescribeJson() const {
  std::string out = "{\"subtopologies\":[";
  for (size_t si = 0; si < data_->subtopologies.size(); ++si) {
    const dsl::Subtopology& s = data_->subtopologies[si];
    if (si) out += ",";
    out += "{\"id\":" + std::to_string(s.id) + ",\"source_topics\":[";
    for (size_t t = 0; t < s.source_topics.size(); ++t) {
      if (t) out += ",";
      AppendJsonString(out, s.source_topics[t]);
    }
    out += "],\"nodes\":[";
    for (size_t k = 0; k < s.nodes.size(); ++k) {
      const GraphNode& n = data_->nodes[s.nodes[k]];
      if (k) out += ",";
      out += "{\"name\":";
      AppendJsonString(out, n.name);
      out += ",\"type\":";
      AppendJsonString(out, dsl::NodeKindName(n.kind));
      out += ",\"detail\":";
      AppendJsonString(out, NodeDetail(n));
      out += ",\"key_changed\":" + std::string(n.key_changed ? "true" : "false");
      out += ",\"error_handling\":";
      AppendJsonString(out, ErrorHandlingName(n.on_error));
      if (n.kind == NodeKind::kSink && !n.sink.topic.empty()) {
        out += ",\"topic\":";
        AppendJsonString(out, n.sink.topic);
      }
      out += ",\"children\":[";
      for (size_t c = 0; c < n.children.size(); ++c) {
        if (c) out += ",";
        AppendJsonString(out, data_->nodes[n.children[c]].name);
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "],\"global_tables\":[";
  for (size_t i = 0; i < data_->global_tables.size(); ++i) {
    const dsl::GlobalTableSpec& g = data_->global_tables[i];
    if (i) out += ",";
    out += "{\"name\":";
    AppendJsonString(out, g.name);
    out += ",\"topic\":";
    AppendJsonString(out, g.topic);
    out += ",\"store\":";
    AppendJsonString(out, g.store);
    out += "}";
  }
  out += "]}";
  return out;
}

}  // namespace streamapp
