// The join steps of the DSL: stream-table, stream-stream, table-table.
// Operators and their semantics: join_ops.h.
//
// Tables are the nodes StreamsBuilder::Table adds (op kind "table"): a table
// node right after its source node "<name>-source". A join reads the table's
// store (the node's only store) with the table's encodings:
//   keys:   the source's Consumed key serde (what MakeTableSource is given);
//   values: the serde StreamsBuilder::Table gave the store (recorded on
//           the table node), JSON by default.
// A stream whose key changed upstream is repartitioned by its new key first
// (through "<step>-repartition", like a grouping), so that it meets the
// table/other stream in the task that owns the key.
#include "dsl/agg_common.h"
#include "dsl/graph.h"
#include "dsl/join_ops.h"
#include "dsl/stateless_ops.h"

namespace streamapp {

using dsl::GraphNode;
using dsl::NodeKind;

namespace {

// The store and encodings of the table at `node`; an error message if the
// node is not a table.
std::optional<dsl::TableStoreRef> TableAt(const dsl::LogicalGraph& graph, int node, const std::string& join,
                                          const std::string& role, std::vector<std::string>* errors) {
  const GraphNode& n = graph.nodes[node];
  if (n.kind != NodeKind::kProcessor || !n.op || n.op->kind() != "table" || n.op->stores().size() != 1 ||
      n.parents.size() != 1 || graph.nodes[n.parents[0]].kind != NodeKind::kSource) {
    errors->push_back("join '" + join + "': " + role + " '" + n.name + "' is not a table (use a Table handle)");
    return std::nullopt;
  }
  dsl::TableStoreRef ref;
  ref.store = n.op->stores()[0].name;
  ref.key_serde = graph.nodes[n.parents[0]].consumed.key;
  ref.value_serde = dsl::agg::SerdeOrJson(n.table_value_serde);
  return ref;
}

}  // namespace

KStream KStream::JoinTable(std::string name, const KStream& table, JoinType type, ValueJoiner joiner) const {
  auto& errors = builder_->graph_->errors;
  if (table.builder_ != builder_) {
    errors.push_back("join '" + name + "': the table comes from a different builder");
    return *this;
  }
  bool ok = true;
  if (type == JoinType::kOuter) {
    errors.push_back("join '" + name + "': a stream-table join is inner or left, not outer");
    ok = false;
  }
  if (!joiner) {
    errors.push_back("join '" + name + "': no joiner");
    ok = false;
  }
  auto ref = TableAt(*builder_->graph_, table.node_, name, "table", &errors);
  if (!ref || !ok) return *this;
  KStream in = GroupByKey().Partitioned(name);
  return in.Add(std::move(name), dsl::MakeStreamTableJoin(std::move(*ref), type, std::move(joiner)), {in.node_});
}

KStream KStream::JoinStream(std::string name, const KStream& other, JoinWindows windows, JoinType type,
                            ValueJoiner joiner) const {
  auto& errors = builder_->graph_->errors;
  if (other.builder_ != builder_) {
    errors.push_back("join '" + name + "': the streams come from different builders");
    return *this;
  }
  bool ok = true;
  if (windows.before.count() < 0 || windows.after.count() < 0 || windows.grace.count() < 0) {
    errors.push_back("join '" + name + "': window before, after and grace must not be negative");
    ok = false;
  }
  if (!joiner) {
    errors.push_back("join '" + name + "': no joiner");
    ok = false;
  }
  if (!ok) return *this;
  KStream left = GroupByKey().Partitioned(name + "-this");
  KStream right = other.GroupByKey().Partitioned(name + "-other");
  dsl::JoinPair ops =
      dsl::MakeStreamStreamJoin(name + "-this-store", name + "-other-store", windows, type, std::move(joiner));
  KStream this_side = left.Add(name + "-this", std::move(ops.this_side), {left.node_});
  KStream other_side = right.Add(name + "-other", std::move(ops.other_side), {right.node_});
  return this_side.Add(std::move(name), dsl::MakeMerge(), {this_side.node_, other_side.node_});
}

KStream KStream::JoinTables(std::string name, const KStream& other, JoinType type, ValueJoiner joiner) const {
  auto& errors = builder_->graph_->errors;
  if (other.builder_ != builder_) {
    errors.push_back("join '" + name + "': the tables come from different builders");
    return *this;
  }
  bool ok = true;
  if (!joiner) {
    errors.push_back("join '" + name + "': no joiner");
    ok = false;
  }
  auto left = TableAt(*builder_->graph_, node_, name, "left side", &errors);
  auto right = TableAt(*builder_->graph_, other.node_, name, "right side", &errors);
  if (!left || !right || !ok) return *this;
  if (left->store == right->store) {
    errors.push_back("join '" + name + "': a table cannot be joined with itself");
    return *this;
  }
  dsl::JoinPair ops = dsl::MakeTableTableJoin(std::move(*left), std::move(*right), type, std::move(joiner));
  KStream left_side = Add(name + "-left", std::move(ops.this_side), {node_});
  KStream right_side = other.Add(name + "-right", std::move(ops.other_side), {other.node_});
  return left_side.Add(std::move(name), dsl::MakeMerge(), {left_side.node_, right_side.node_});
}

}  // namespace streamapp
