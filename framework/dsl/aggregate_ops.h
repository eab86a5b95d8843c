// Stateful operators: aggregations over grouped streams, windowed or not,
// and tables from topics. Definitions are immutable; each task gets its own
// processor and stores.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dsl/graph.h"
#include "streamapp/aggregation.h"
#include "streamapp/expr.h"

namespace streamapp::dsl {

using streamapp::AggregationFns;
using streamapp::Aggregator;
using streamapp::EmitMode;
using streamapp::Finisher;
using streamapp::Initializer;
using streamapp::Merger;
using streamapp::WindowSpec;

// A built-in aggregation by name: count, sum, min, max, avg, first, last,
// count_distinct. All but count need `field` (an expression evaluated per
// record; null results are ignored). InvalidArgument for an unknown name (with
// a suggestion) or a missing field. Aggregate values: count -> int; sum ->
// int or double; min/max -> the extreme value; avg -> {"sum":..,"count":..}
// internally, emitted as a double; first/last -> the value; count_distinct ->
// int (the distinct set is kept in the aggregate).
Result<AggregationFns> BuiltinAggregation(std::string_view name, std::optional<expr::Expression> field);

// The emitted value of a built-in aggregate (avg's state -> double,
// count_distinct's state -> int); identity for the others.
Finisher BuiltinFinisher(std::string_view name);

struct AggregateSpec {
  std::string store;                         // store name (stable, from the topology)
  std::shared_ptr<const Serde> key_serde;    // encodes the grouping key for the store
  std::shared_ptr<const Serde> value_serde;  // encodes aggregates for the store (json if null)
  AggregationFns fns;
  Finisher finish;  // applied to aggregates before they go downstream; identity if empty
  bool in_memory = false;
  bool cached = true;
  // Windowed only: when the finished aggregate is an object, window_start
  // and window_end go into it (first) instead of wrapping it as "value"
  // (e.g. a candle reads {window_start, window_end, open, ...}).
  bool window_fields_in_value = false;
};

// Keyed aggregation: key -> aggregate in a key-value store. Emits
// (key, finished aggregate) with the timestamp of the latest record; a
// record with a null key is a DataError.
std::shared_ptr<const OperatorDef> MakeAggregate(AggregateSpec spec);

// Windowed aggregation. Emitted records keep the grouping key; the value is
// {"window_start": ms, "window_end": ms, "value": finished aggregate} (see
// AggregateSpec::window_fields_in_value).
// Records older than (stream time - grace) for every window they fall into
// are dropped and counted in the task metric "late-records-dropped".
std::shared_ptr<const OperatorDef> MakeWindowedAggregate(AggregateSpec spec, WindowSpec window, EmitMode emit);

// A table from a topic: keeps the latest value per key (null value deletes)
// in a key-value store and forwards each update (old value in header-free
// form is not forwarded; downstream sees the new value, or null on delete).
std::shared_ptr<const OperatorDef> MakeTableSource(std::string store, std::shared_ptr<const Serde> key_serde,
                                                   std::shared_ptr<const Serde> value_serde, bool in_memory = false,
                                                   bool cached = true);

}  // namespace streamapp::dsl
