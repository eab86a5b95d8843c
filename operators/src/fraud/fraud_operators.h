// Operators of the payment-fraud pipeline (pipelines.md, "4. Payment fraud
// detection"; docs/fraud.md), registered with the built-ins
// (operators/builtin.cc).
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

Status RegisterFraudOperators(OperatorRegistry& registry);
Status RegisterCustomerFeaturesOperator(OperatorRegistry& registry);
Status RegisterFraudScoreOperator(OperatorRegistry& registry);

}  // namespace streamapp::operators
