// StreamsBuilder and KStream: append nodes to the logical graph.
#include <set>

#include "dsl/graph.h"
#include "dsl/stateless_ops.h"

namespace streamapp {

using dsl::GraphNode;
using dsl::NodeKind;

std::string_view ErrorHandlingName(ErrorHandling h) {
  switch (h) {
    case ErrorHandling::kDlq: return "dlq";
    case ErrorHandling::kSkip: return "skip";
    case ErrorHandling::kFail: return "fail";
  }
  return "?";
}

StreamsBuilder::StreamsBuilder() : graph_(std::make_unique<dsl::LogicalGraph>()) {}
StreamsBuilder::~StreamsBuilder() = default;

KStream StreamsBuilder::Stream(std::string name, std::vector<std::string> topics, Consumed consumed,
                               ErrorHandling handling) {
  if (topics.empty()) graph_->errors.push_back("source '" + name + "' has no topics");
  if (!consumed.key || !consumed.value) graph_->errors.push_back("source '" + name + "' needs key and value serdes");
  if (consumed.partitions < 0) graph_->errors.push_back("source '" + name + "': partitions must be positive");
  GraphNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kSource;
  node.topics = std::move(topics);
  node.consumed = std::move(consumed);
  node.on_error = handling;
  graph_->nodes.push_back(std::move(node));
  return KStream(this, static_cast<int>(graph_->nodes.size()) - 1, handling);
}

KStream KStream::Add(std::string name, std::shared_ptr<const OperatorDef> op, std::vector<int> parents) const {
  auto& nodes = builder_->graph_->nodes;
  GraphNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kProcessor;
  node.on_error = handling_;
  node.key_changed = op->changes_key();
  for (int p : parents) node.key_changed = node.key_changed || nodes[p].key_changed;
  node.op = std::move(op);
  node.parents = parents;
  const int id = static_cast<int>(nodes.size());
  for (int p : parents) nodes[p].children.push_back(id);
  nodes.push_back(std::move(node));
  return KStream(builder_, id, handling_);
}

KStream KStream::Filter(std::string name, Predicate predicate) const {
  return Add(std::move(name), dsl::MakeFilter(std::move(predicate)), {node_});
}
KStream KStream::Map(std::string name, RecordMapper mapper) const {
  return Add(std::move(name), dsl::MakeMap(std::move(mapper)), {node_});
}
KStream KStream::MapValues(std::string name, ValueMapper mapper) const {
  return Add(std::move(name), dsl::MakeMapValues(std::move(mapper)), {node_});
}
KStream KStream::FlatMap(std::string name, FlatMapper mapper) const {
  return Add(std::move(name), dsl::MakeFlatMap(std::move(mapper)), {node_});
}
KStream KStream::SelectKey(std::string name, KeySelector selector) const {
  return Add(std::move(name), dsl::MakeSelectKey(std::move(selector)), {node_});
}
KStream KStream::Peek(std::string name, RecordAction action) const {
  return Add(std::move(name), dsl::MakePeek(std::move(action)), {node_});
}
KStream KStream::Process(std::string name, std::shared_ptr<const OperatorDef> op) const {
  if (key_changed() && op->requires_copartitioning()) {
    KStream in = GroupByKey().Partitioned(name);
    return in.Add(std::move(name), std::move(op), {in.node_});
  }
  return Add(std::move(name), std::move(op), {node_});
}
KStream KStream::Merge(std::string name, const KStream& other) const {
  if (other.builder_ != builder_) {
    builder_->graph_->errors.push_back("merge '" + name + "': streams come from different builders");
    return *this;
  }
  return Add(std::move(name), dsl::MakeMerge(), {node_, other.node_});
}

std::vector<KStream> KStream::Branch(std::string name, std::vector<BranchSpec> branches) const {
  std::vector<Predicate> predicates;
  for (size_t i = 0; i < branches.size(); ++i) {
    if (!branches[i].predicate && i + 1 != branches.size()) {
      builder_->graph_->errors.push_back("branch '" + name + "': the default branch must be the last");
    }
    predicates.push_back(branches[i].predicate);
  }
  KStream splitter = Add(name, dsl::MakeBranch(std::move(predicates)), {node_});
  std::vector<KStream> out;
  // Each branch is a pass-through node so that ForwardTo(i) reaches branch i
  // and later steps can attach to it by name.
  for (BranchSpec& b : branches) out.push_back(splitter.Add(std::move(b.name), dsl::MakeMerge(), {splitter.node_}));
  return out;
}

void KStream::To(std::string name, std::string topic, Produced produced) const {
  KStream sink = Add(std::move(name), dsl::MakeMerge(), {node_});
  GraphNode& node = builder_->graph_->nodes[sink.node_];
  node.kind = NodeKind::kSink;
  node.op = nullptr;
  node.key_changed = builder_->graph_->nodes[node_].key_changed;
  if (topic.empty()) builder_->graph_->errors.push_back("sink '" + node.name + "' has an empty topic");
  if (!produced.key || !produced.value) builder_->graph_->errors.push_back("sink '" + node.name + "' needs serdes");
  node.sink.topic = std::move(topic);
  node.sink.produced = std::move(produced);
}

void KStream::To(std::string name, TopicExtractor topic, Produced produced) const {
  KStream sink = Add(std::move(name), dsl::MakeMerge(), {node_});
  GraphNode& node = builder_->graph_->nodes[sink.node_];
  node.kind = NodeKind::kSink;
  node.op = nullptr;
  node.key_changed = builder_->graph_->nodes[node_].key_changed;
  if (!produced.key || !produced.value) builder_->graph_->errors.push_back("sink '" + node.name + "' needs serdes");
  node.sink.extractor = std::move(topic);
  node.sink.produced = std::move(produced);
}

KStream KStream::OnError(ErrorHandling handling) const {
  return KStream(builder_, node_, handling);
}

KStream KStream::WithDetail(std::string detail) const {
  builder_->graph_->nodes[node_].detail = std::move(detail);
  return *this;
}

bool KStream::key_changed() const {
  return builder_->graph_->nodes[node_].key_changed;
}

}  // namespace streamapp
