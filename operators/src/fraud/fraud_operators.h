// Operators of the payment-fraud pipeline (pipelines.md, "4. Payment fraud
// detection"), registered with the built-ins (operators/builtin.cc).
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

Status RegisterFraudOperators(OperatorRegistry& registry);

}  // namespace streamapp::operators
