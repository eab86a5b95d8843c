// Aggregation building blocks shared by the DSL and the YAML loader.
#pragma once

#include <chrono>
#include <functional>

#include "streamapp/record.h"
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

}  // namespace streamapp
