// General analytics operators of the reference pipelines (sales, ...),
// registered with the built-ins (operators/builtin.cc).
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

// top_n: the n highest-scoring members per key.
Status RegisterTopNOperator(OperatorRegistry& registry);

// changes: per key, forward a record only when an expression's value changes.
Status RegisterChangesOperator(OperatorRegistry& registry);

// Every analytics operator, in the order of `stream-app operators`.
Status RegisterAnalyticsOperators(OperatorRegistry& registry);

}  // namespace streamapp::operators
