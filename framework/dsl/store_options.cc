// StreamsBuilder::ConfigureStore: store settings chosen apart from the step
// that declares the store (the YAML `stores:` section), applied at Build()
// by wrapping the step's operator definition.
#include "dsl/graph.h"

namespace streamapp {
namespace dsl {
namespace {

// Forwards everything to the wrapped definition but the store specs. The
// operators find out at run time whether their store caches
// (SetFlushListener), so changing `cached` needs nothing else from them.
class StoreOptionsOp final : public OperatorDef {
 public:
  StoreOptionsOp(std::shared_ptr<const OperatorDef> inner, std::vector<StoreSpec> stores)
      : inner_(std::move(inner)), stores_(std::move(stores)) {}

  std::unique_ptr<Processor> CreateProcessor() const override { return inner_->CreateProcessor(); }
  std::string_view kind() const override { return inner_->kind(); }
  std::string detail() const override { return inner_->detail(); }
  bool changes_key() const override { return inner_->changes_key(); }
  std::vector<StoreSpec> stores() const override { return stores_; }
  std::vector<std::string> connected_stores() const override { return inner_->connected_stores(); }
  bool requires_copartitioning() const override { return inner_->requires_copartitioning(); }

 private:
  std::shared_ptr<const OperatorDef> inner_;
  std::vector<StoreSpec> stores_;
};

}  // namespace

std::shared_ptr<const OperatorDef> WithStoreOptions(std::shared_ptr<const OperatorDef> op,
                                                    const std::map<std::string, StoreOptions>& options) {
  std::vector<StoreSpec> stores = op->stores();
  bool changed = false;
  for (StoreSpec& spec : stores) {
    auto it = options.find(spec.name);
    if (it == options.end()) continue;
    const StoreOptions& o = it->second;
    spec.in_memory = o.in_memory.value_or(spec.in_memory);
    spec.cached = o.cached.value_or(spec.cached);
    spec.logged = o.logged.value_or(spec.logged);
    changed = true;
  }
  if (!changed) return op;
  return std::make_shared<StoreOptionsOp>(std::move(op), std::move(stores));
}

}  // namespace dsl

void StreamsBuilder::ConfigureStore(std::string name, StoreOptions options) {
  graph_->store_options[std::move(name)] = options;
}

std::vector<std::string> StreamsBuilder::StoreNames() const {
  std::vector<std::string> out;
  for (const dsl::GraphNode& node : graph_->nodes) {
    if (node.kind != dsl::NodeKind::kProcessor || !node.op) continue;
    for (const StoreSpec& spec : node.op->stores()) out.push_back(spec.name);
  }
  return out;
}

}  // namespace streamapp
