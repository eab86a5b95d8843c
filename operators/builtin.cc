#include "streamapp/operators/builtin.h"

#include "analytics/analytics_operators.h"
#include "fraud/fraud_operators.h"
#include "market/market_operators.h"
#include "telemetry/telemetry_operators.h"

namespace streamapp {

namespace operators {

const char* BuiltinSetName() {
  return "builtin";
}

}  // namespace operators

Status RegisterBuiltinOperators(OperatorRegistry& registry) {
  // The order is the order of `stream-app operators` and docs/operators.md.
  RETURN_IF_ERROR(operators::RegisterStatelessOperators(registry));
  RETURN_IF_ERROR(operators::RegisterValidateOperator(registry));
  RETURN_IF_ERROR(operators::RegisterOhlcvOperator(registry));
  RETURN_IF_ERROR(operators::RegisterIndicatorsOperator(registry));
  RETURN_IF_ERROR(operators::RegisterAnomaliesOperator(registry));
  RETURN_IF_ERROR(operators::RegisterShareOperator(registry));
  RETURN_IF_ERROR(operators::RegisterAnalyticsOperators(registry));
  RETURN_IF_ERROR(operators::RegisterTelemetryOperators(registry));
  RETURN_IF_ERROR(operators::RegisterFraudOperators(registry));
  return operators::RegisterStructuralOperators(registry);
}

}  // namespace streamapp
