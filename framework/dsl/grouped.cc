// Grouping and the stateful DSL steps: aggregations, windows, tables.
#include "dsl/aggregate_ops.h"
#include "dsl/graph.h"

namespace streamapp {
namespace {

std::shared_ptr<const Serde> OrDefault(std::shared_ptr<const Serde> serde, const char* spec) {
  if (serde) return serde;
  auto made = MakeSerde(spec, {});
  return made.ok() ? *made : nullptr;
}

dsl::AggregateSpec SpecFor(const std::string& name, const Materialized& m, AggregationFns fns, Finisher finish) {
  dsl::AggregateSpec spec;
  spec.store = m.store.empty() ? name : m.store;
  spec.key_serde = OrDefault(m.key, "string");
  spec.value_serde = OrDefault(m.value, "json");
  spec.fns = std::move(fns);
  spec.finish = std::move(finish);
  spec.in_memory = m.in_memory;
  spec.cached = m.cached;
  return spec;
}

}  // namespace

KGroupedStream KStream::GroupByKey(Grouped grouped) const {
  return KGroupedStream(*this, std::move(grouped));
}

KGroupedStream KStream::GroupBy(std::string name, KeySelector selector, Grouped grouped) const {
  return KGroupedStream(SelectKey(std::move(name), std::move(selector)), std::move(grouped));
}

KStream KGroupedStream::Partitioned(const std::string& name) const {
  if (!stream_.key_changed()) return stream_;
  // Records must reach the task that owns their new key: write them to a
  // repartition topic keyed by it and read them back in a new subtopology.
  StreamsBuilder* builder = stream_.builder_;
  const std::string topic = name + "-repartition";
  builder->graph_->repartition_topics.insert(topic);
  auto key = OrDefault(grouped_.key, "string");
  auto value = OrDefault(grouped_.value, "json");
  stream_.To(name + "-repartition-sink", topic, Produced{key, value});
  return builder->Stream(name + "-repartition-source", {topic}, Consumed{key, value, {}}, stream_.handling_);
}

KStream KGroupedStream::Aggregate(std::string name, AggregationFns fns, Materialized materialized,
                                  Finisher finish) const {
  KStream in = Partitioned(name);
  return in.Process(name, dsl::MakeAggregate(SpecFor(name, materialized, std::move(fns), std::move(finish))));
}

KStream KGroupedStream::Count(std::string name, Materialized materialized) const {
  auto fns = dsl::BuiltinAggregation("count", std::nullopt);
  return Aggregate(std::move(name), std::move(*fns), std::move(materialized));
}

KStream KGroupedStream::Reduce(std::string name, Reducer reducer, Materialized materialized) const {
  AggregationFns fns;
  fns.init = []() -> Result<Value> { return Value(); };
  fns.add = [reducer](const Record& r, Value aggregate) -> Result<Value> {
    if (aggregate.is_null()) return r.value;
    return reducer(std::move(aggregate), r.value);
  };
  fns.merge = [reducer](Value left, Value right) -> Result<Value> {
    if (left.is_null()) return right;
    if (right.is_null()) return left;
    return reducer(std::move(left), right);
  };
  return Aggregate(std::move(name), std::move(fns), std::move(materialized));
}

KStream KGroupedStream::WindowedAggregate(std::string name, WindowSpec window, EmitMode emit, AggregationFns fns,
                                          Materialized materialized, Finisher finish) const {
  KStream in = Partitioned(name);
  return in.Process(
      name, dsl::MakeWindowedAggregate(SpecFor(name, materialized, std::move(fns), std::move(finish)), window, emit));
}

KStream StreamsBuilder::Table(std::string name, std::vector<std::string> topics, Consumed consumed,
                              Materialized materialized, ErrorHandling handling) {
  const std::string store = materialized.store.empty() ? name : materialized.store;
  auto key = consumed.key;
  auto value = OrDefault(materialized.value, "json");
  KStream source = Stream(name + "-source", std::move(topics), std::move(consumed), handling);
  KStream table =
      source.Process(name, dsl::MakeTableSource(store, key, value, materialized.in_memory, materialized.cached));
  graph_->nodes[table.node()].table_value_serde = value;
  return table;
}

}  // namespace streamapp
