// The built-in operators. They register through OperatorRegistry::Register,
// the same call a plugin makes; RegisterBuiltinOperators (declared in
// streamapp/operator_registry.h) registers them all, explicitly, once.
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

// Returns the name of the built-in operator set, for `--version`.
const char* BuiltinSetName();

// Per-record operators built through the generic path (src/stateless.cc).
Status RegisterStatelessOperators(OperatorRegistry& registry);
// validate: rules with reasons; failing records go to the error handler
// (src/validate.cc).
Status RegisterValidateOperator(OperatorRegistry& registry);
// Operators the loader builds itself (branch, to, grouping, aggregations,
// joins): declared here so validation and docs come from one place
// (src/structural.cc).
Status RegisterStructuralOperators(OperatorRegistry& registry);

}  // namespace streamapp::operators
