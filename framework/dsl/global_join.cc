// Global tables in the DSL and the join that looks them up.
#include <algorithm>

#include "dsl/agg_common.h"
#include "dsl/graph.h"
#include "dsl/join_ops.h"

namespace streamapp {
namespace {

struct GlobalJoinConfig {
  dsl::GlobalTableSpec table;
  KeySelector key;
  JoinType type;
  ValueJoiner joiner;
};

class GlobalJoinProcessor final : public Processor {
 public:
  explicit GlobalJoinProcessor(std::shared_ptr<const GlobalJoinConfig> config) : config_(std::move(config)) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    store_ = dynamic_cast<KeyValueStore*>(context.GetStateStore(config_->table.store));
    if (store_ == nullptr) {
      return Status::Internal("global table store '" + config_->table.store + "' is not available");
    }
    return Status::Ok();
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(Value key, config_->key(record));
    Value right;
    if (!key.is_null()) {
      std::string encoded;
      RETURN_IF_ERROR(config_->table.key_serde->Serialize(key, &encoded).WithContext("global table key"));
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_->Get(encoded));
      if (bytes) {
        RETURN_IF_ERROR(config_->table.value_serde->Deserialize(*bytes, &right).WithContext("global table value"));
      }
    }
    if (right.is_null() && config_->type == JoinType::kInner) return Status::Ok();
    ASSIGN_OR_RETURN(Value joined, config_->joiner(record, right));
    record.value = std::move(joined);
    return context().Forward(std::move(record));
  }

 private:
  std::shared_ptr<const GlobalJoinConfig> config_;
  KeyValueStore* store_ = nullptr;
};

class GlobalJoinDef final : public OperatorDef {
 public:
  explicit GlobalJoinDef(std::shared_ptr<const GlobalJoinConfig> config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<GlobalJoinProcessor>(config_); }
  std::string_view kind() const override { return "join-global-table"; }
  std::string detail() const override {
    return std::string(dsl::JoinTypeName(config_->type)) + " join with global table " + config_->table.name;
  }

 private:
  std::shared_ptr<const GlobalJoinConfig> config_;
};

}  // namespace

void StreamsBuilder::GlobalTable(std::string name, std::string topic, Consumed consumed, Materialized materialized) {
  dsl::GlobalTableSpec spec;
  spec.store = materialized.store.empty() ? name : materialized.store;
  spec.name = std::move(name);
  spec.topic = std::move(topic);
  spec.key_serde = dsl::agg::SerdeOrJson(consumed.key);
  spec.value_serde = dsl::agg::SerdeOrJson(consumed.value);
  for (const auto& g : graph_->global_tables) {
    if (g.name == spec.name) graph_->errors.push_back("duplicate global table '" + spec.name + "'");
  }
  graph_->global_tables.push_back(std::move(spec));
}

KStream KStream::JoinGlobalTable(std::string name, const std::string& global_table, KeySelector key, JoinType type,
                                 ValueJoiner joiner) const {
  auto& graph = *builder_->graph_;
  auto it = std::find_if(graph.global_tables.begin(), graph.global_tables.end(),
                         [&](const dsl::GlobalTableSpec& g) { return g.name == global_table; });
  if (it == graph.global_tables.end()) {
    graph.errors.push_back("join '" + name + "': no global table '" + global_table + "'");
    return *this;
  }
  if (type == JoinType::kOuter) graph.errors.push_back("join '" + name + "': a global table join is inner or left");
  if (!key || !joiner) {
    graph.errors.push_back("join '" + name + "': needs a key selector and a joiner");
    return *this;
  }
  auto config = std::make_shared<GlobalJoinConfig>(GlobalJoinConfig{*it, std::move(key), type, std::move(joiner)});
  return Process(std::move(name), std::make_shared<GlobalJoinDef>(std::move(config)));
}

}  // namespace streamapp
