// StreamsBuilder::Build: validation and the split into subtopologies; and
// Topology's descriptions.
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
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

// Store names become changelog topic names and directories under the task
// directory: topic characters only, one declaring step each, and none shared
// with a global table (tasks look their own stores up first).
void CheckStoreNames(const LogicalGraph& graph, std::vector<std::string>& errors) {
  std::map<std::string, std::string> owner;
  for (const GraphNode& node : graph.nodes) {
    if (node.kind != NodeKind::kProcessor || !node.op) continue;
    for (const StoreSpec& spec : node.op->stores()) {
      const std::string& name = spec.name;
      const bool valid =
          !name.empty() && name != "." && name != ".." && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
          });
      if (!valid) {
        errors.push_back("'" + node.name + "' declares store '" + name +
                         "': store names become topic names, so use letters, digits, '.', '_' and '-'");
        continue;
      }
      auto [it, fresh] = owner.emplace(name, node.name);
      if (!fresh) {
        errors.push_back("store '" + name + "' is declared by both '" + it->second + "' and '" + node.name +
                         "'; give one of them another store name");
      }
      for (const GlobalTableSpec& g : graph.global_tables) {
        if (g.store == name) {
          errors.push_back("'" + node.name + "' declares store '" + name + "', the store of global table '" + g.name +
                           "'; give one of them another store name");
        }
      }
    }
  }
}

// Every configured store must be one a step declares.
void CheckStoreOptions(const LogicalGraph& graph, std::vector<std::string>& errors) {
  std::set<std::string> declared;
  for (const GraphNode& node : graph.nodes) {
    if (node.kind != NodeKind::kProcessor || !node.op) continue;
    for (const StoreSpec& spec : node.op->stores()) declared.insert(spec.name);
  }
  for (const auto& [name, options] : graph.store_options) {
    if (declared.count(name)) continue;
    auto global = std::find_if(graph.global_tables.begin(), graph.global_tables.end(),
                               [&](const GlobalTableSpec& g) { return g.store == name; });
    errors.push_back(global != graph.global_tables.end()
                         ? "store '" + name + "' belongs to global table '" + global->name +
                               "'; global table stores take no options (they are loaded from the table's topic)"
                         : "store '" + name + "' is configured but no step declares it");
  }
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
  dsl::CheckStoreNames(graph, errors);
  dsl::CheckStoreOptions(graph, errors);
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(msg);
  }

  auto data = std::make_shared<dsl::TopologyData>();
  data->nodes = graph.nodes;
  if (!graph.store_options.empty()) {
    for (GraphNode& node : data->nodes) {
      if (node.kind == NodeKind::kProcessor) node.op = dsl::WithStoreOptions(node.op, graph.store_options);
    }
  }
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
  // Co-partitioning, as far as the declared partition counts tell.
  std::map<std::string, int> declared;
  for (const GraphNode& node : data->nodes) {
    if (node.kind != NodeKind::kSource || node.consumed.partitions <= 0) continue;
    for (const std::string& t : node.topics) declared[t] = node.consumed.partitions;
  }
  if (!declared.empty()) {
    dsl::ResolvePartitionCounts(*data, declared, errors);
    if (!errors.empty()) {
      std::string msg;
      for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
      return Status::InvalidArgument(msg);
    }
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
      if (n.consumed.timestamp.max_future.count() > 0) {
        s += " (at most " + std::to_string(n.consumed.timestamp.max_future.count()) + " ms ahead)";
      }
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

namespace {

// The stores the operators of one subtopology declare, in node order.
std::vector<StoreSpec> SubtopologyStores(const dsl::TopologyData& data, const dsl::Subtopology& sub) {
  std::vector<StoreSpec> out;
  for (int i : sub.nodes) {
    const GraphNode& n = data.nodes[i];
    if (n.kind != NodeKind::kProcessor || !n.op) continue;
    for (StoreSpec& spec : n.op->stores()) out.push_back(std::move(spec));
  }
  return out;
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
    for (const StoreSpec& spec : SubtopologyStores(*data_, s)) {
      out += "    Store: " + spec.name + " (" + std::string(StoreKindName(spec.kind)) + ", " +
             (spec.in_memory ? "memory" : "rocksdb") + (spec.cached ? ", cached" : "") +
             (spec.logged ? ", changelog" : ", no changelog") + ")\n";
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
    out += "],\"stores\":[";
    bool first = true;
    for (const StoreSpec& spec : SubtopologyStores(*data_, s)) {
      out += first ? "{\"name\":" : ",{\"name\":";
      first = false;
      AppendJsonString(out, spec.name);
      out += ",\"kind\":";
      AppendJsonString(out, StoreKindName(spec.kind));
      out += ",\"backend\":";
      AppendJsonString(out, spec.in_memory ? "memory" : "rocksdb");
      out += ",\"cached\":" + std::string(spec.cached ? "true" : "false");
      out += ",\"changelog\":" + std::string(spec.logged ? "true" : "false") + "}";
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
