#include "analytics/analytics_operators.h"

namespace streamapp::operators {

Status RegisterAnalyticsOperators(OperatorRegistry& registry) {
  RETURN_IF_ERROR(RegisterTopNOperator(registry));
  return RegisterChangesOperator(registry);
}

}  // namespace streamapp::operators
