// Aggregation building blocks shared by the DSL and the YAML loader.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "streamapp/processor.h"
#include "streamapp/record.h"
#include "streamapp/serde.h"
#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp {

using Initializer = std::function<Result<Value>()>;
// Folds a record into the aggregate so far.
using Aggregator = std::function<Result<Value>(const Record& record, Value aggregate)>;
// Combines two aggregates (session windows merging).
using Merger = std::function<Result<Value>(Value left, Value right)>;
// The emitted form of an aggregate (e.g. avg's {sum, count} -> a double).
using Finisher = std::function<Value(const Value& aggregate)>;

struct AggregationFns {
  Initializer init;
  Aggregator add;
  Merger merge;  // needed only by session windows
};

struct WindowSpec {
  enum class Type { kTumbling, kHopping, kSliding, kSession };
  Type type = Type::kTumbling;
  std::chrono::milliseconds size{0};     // tumbling/hopping: window length; sliding: max time difference
  std::chrono::milliseconds advance{0};  // hopping: step (tumbling: = size)
  std::chrono::milliseconds gap{0};      // session: inactivity gap
  std::chrono::milliseconds grace{0};    // how late a record may be and still count
};

enum class EmitMode {
  kUpdates,  // every change of an aggregate goes downstream (folded per commit by the cache)
  kFinal,    // one record per window, when stream time passes window end + grace
};

// A windowed aggregation with custom functions, as an operator definition
// for registered operators and plugins (the DSL's
// KGroupedStream::WindowedAggregate builds the same thing at graph level).
struct WindowedAggregation {
  std::string store;  // also names the changelog topic
  AggregationFns fns;
  Finisher finish;  // identity when empty
  WindowSpec window;
  EmitMode emit = EmitMode::kUpdates;
  std::shared_ptr<const Serde> key_serde;    // store encoding of the grouping key; json when null
  std::shared_ptr<const Serde> value_serde;  // store encoding of aggregates; json when null
  bool in_memory = false;
  bool cached = true;
  // Emitted value: {"window_start", "window_end", "value": finished}, or,
  // when set and the finished aggregate is an object, its fields after
  // window_start and window_end.
  bool window_fields_in_value = false;
};
// The definition of `aggregation`; per key (the record key) and window.
// Records later than the grace period are dropped and counted in the task
// metric "late-records-dropped".
std::shared_ptr<const OperatorDef> MakeWindowedAggregation(WindowedAggregation aggregation);

}  // namespace streamapp
