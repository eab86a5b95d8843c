// Keyed (non-windowed) aggregation and table sources over key-value stores.
//
// Forwarding: when the store caches (SetFlushListener returns true) the
// operator forwards from the flush listener, one record per dirty key per
// commit (timestamp: the listener's, i.e. the record that last wrote the
// key); otherwise it forwards after every write (timestamp: the record's).
// An aggregate that becomes null (e.g. `first` of null fields) deletes the
// key and is forwarded as a null value, as Kafka Streams does.
#include "dsl/aggregate_ops.h"

#include <utility>

#include "dsl/agg_common.h"

namespace streamapp::dsl {
namespace {

Result<KeyValueStore*> KeyValueStoreOf(ProcessorContext& ctx, const std::string& name, std::string_view op) {
  StateStore* store = ctx.GetStateStore(name);
  if (!store) return Status::Internal(std::string(op) + ": store '" + name + "' is not available to this task");
  if (store->spec().kind != StoreKind::kKeyValue) {
    return Status::Internal(std::string(op) + ": store '" + name + "' is a " +
                            std::string(StoreKindName(store->spec().kind)) + " store, expected a key-value store");
  }
  return static_cast<KeyValueStore*>(store);
}

// Forwards a store update that the cache wrote down.
Status ForwardFlushed(ProcessorContext& ctx, const Serde& key_serde, const Serde& value_serde, const Finisher& finish,
                      std::string_view key, std::optional<std::string_view> value, int64_t timestamp) {
  Record out;
  ASSIGN_OR_RETURN(out.key, agg::DecodeBytes(key_serde, key, "a store key"));
  if (value) {
    ASSIGN_OR_RETURN(Value v, agg::DecodeBytes(value_serde, *value, "a store value"));
    out.value = agg::Finish(finish, v);
  }
  out.timestamp = Timestamp(timestamp);
  return ctx.Forward(std::move(out));
}

struct AggregateConfig {
  AggregateSpec spec;
  std::shared_ptr<const Serde> key_serde;
  std::shared_ptr<const Serde> value_serde;
};

class AggregateProcessor final : public Processor {
 public:
  explicit AggregateProcessor(std::shared_ptr<const AggregateConfig> config) : config_(std::move(config)) {}

  Status Init(ProcessorContext& ctx) override {
    RETURN_IF_ERROR(Processor::Init(ctx));
    const AggregateSpec& spec = config_->spec;
    if (!spec.fns.init || !spec.fns.add) return Status::InvalidArgument("aggregate: no initializer or aggregator");
    if (!config_->value_serde) return Status::Internal("aggregate: no json serde");
    ASSIGN_OR_RETURN(store_, KeyValueStoreOf(ctx, spec.store, "aggregate"));
    cached_ = store_->SetFlushListener(
        [this](std::string_view key, std::optional<std::string_view> value, std::optional<std::string_view>,
               int64_t timestamp) {
          return ForwardFlushed(context(), *config_->key_serde, *config_->value_serde, config_->spec.finish, key, value,
                                timestamp);
        },
        StateStore::OldValues::kSkip);
    return Status::Ok();
  }

  Status Process(Record record) override {
    const AggregateSpec& spec = config_->spec;
    ASSIGN_OR_RETURN(std::string key, agg::EncodeKey(*config_->key_serde, record.key, "aggregate"));
    ASSIGN_OR_RETURN(std::optional<std::string> current, store_->Get(key));
    Value aggregate;
    if (current) {
      ASSIGN_OR_RETURN(aggregate, agg::DecodeBytes(*config_->value_serde, *current, "an aggregate"));
    } else {
      ASSIGN_OR_RETURN(aggregate, spec.fns.init());
    }
    ASSIGN_OR_RETURN(Value next, spec.fns.add(record, std::move(aggregate)));
    if (next.is_null()) {
      RETURN_IF_ERROR(store_->Delete(key));
    } else {
      ASSIGN_OR_RETURN(std::string bytes, agg::EncodeValue(*config_->value_serde, next, "an aggregate"));
      RETURN_IF_ERROR(store_->Put(key, bytes));
    }
    if (cached_) return Status::Ok();
    record.value = agg::Finish(spec.finish, next);
    return context().Forward(std::move(record));
  }

 private:
  std::shared_ptr<const AggregateConfig> config_;
  KeyValueStore* store_ = nullptr;
  bool cached_ = false;
};

class AggregateDef final : public OperatorDef {
 public:
  explicit AggregateDef(std::shared_ptr<const AggregateConfig> config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<AggregateProcessor>(config_); }
  std::string_view kind() const override { return "aggregate"; }
  std::string detail() const override { return "store " + config_->spec.store; }
  std::vector<StoreSpec> stores() const override {
    StoreSpec s;
    s.name = config_->spec.store;
    s.kind = StoreKind::kKeyValue;
    s.in_memory = config_->spec.in_memory;
    s.logged = true;
    s.cached = config_->spec.cached;
    return {s};
  }

 private:
  std::shared_ptr<const AggregateConfig> config_;
};

struct TableConfig {
  std::string store;
  std::shared_ptr<const Serde> key_serde;
  std::shared_ptr<const Serde> value_serde;
  bool in_memory = false;
  bool cached = true;
};

class TableProcessor final : public Processor {
 public:
  explicit TableProcessor(std::shared_ptr<const TableConfig> config) : config_(std::move(config)) {}

  Status Init(ProcessorContext& ctx) override {
    RETURN_IF_ERROR(Processor::Init(ctx));
    if (!config_->value_serde) return Status::Internal("table: no json serde");
    ASSIGN_OR_RETURN(store_, KeyValueStoreOf(ctx, config_->store, "table"));
    cached_ = store_->SetFlushListener(
        [this](std::string_view key, std::optional<std::string_view> value, std::optional<std::string_view>,
               int64_t timestamp) {
          return ForwardFlushed(context(), *config_->key_serde, *config_->value_serde, nullptr, key, value, timestamp);
        },
        StateStore::OldValues::kSkip);
    return Status::Ok();
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(std::string key, agg::EncodeKey(*config_->key_serde, record.key, "table"));
    if (record.value.is_null()) {
      RETURN_IF_ERROR(store_->Delete(key));
    } else {
      ASSIGN_OR_RETURN(std::string bytes, agg::EncodeValue(*config_->value_serde, record.value, "a table value"));
      RETURN_IF_ERROR(store_->Put(key, bytes));
    }
    if (cached_) return Status::Ok();
    return context().Forward(std::move(record));
  }

 private:
  std::shared_ptr<const TableConfig> config_;
  KeyValueStore* store_ = nullptr;
  bool cached_ = false;
};

class TableDef final : public OperatorDef {
 public:
  explicit TableDef(std::shared_ptr<const TableConfig> config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<TableProcessor>(config_); }
  std::string_view kind() const override { return "table"; }
  std::string detail() const override { return "store " + config_->store; }
  std::vector<StoreSpec> stores() const override {
    StoreSpec s;
    s.name = config_->store;
    s.kind = StoreKind::kKeyValue;
    s.in_memory = config_->in_memory;
    s.logged = true;
    s.cached = config_->cached;
    return {s};
  }

 private:
  std::shared_ptr<const TableConfig> config_;
};

}  // namespace

std::shared_ptr<const OperatorDef> MakeAggregate(AggregateSpec spec) {
  auto config = std::make_shared<AggregateConfig>();
  config->key_serde = agg::SerdeOrJson(spec.key_serde);
  config->value_serde = agg::SerdeOrJson(spec.value_serde);
  config->spec = std::move(spec);
  return std::make_shared<AggregateDef>(std::move(config));
}

std::shared_ptr<const OperatorDef> MakeTableSource(std::string store, std::shared_ptr<const Serde> key_serde,
                                                   std::shared_ptr<const Serde> value_serde, bool in_memory,
                                                   bool cached) {
  auto config = std::make_shared<TableConfig>();
  config->store = std::move(store);
  config->key_serde = agg::SerdeOrJson(std::move(key_serde));
  config->value_serde = agg::SerdeOrJson(std::move(value_serde));
  config->in_memory = in_memory;
  config->cached = cached;
  return std::make_shared<TableDef>(std::move(config));
}

}  // namespace streamapp::dsl
