#include "analytics/analytics_operators.h"

namespace streamapp::operators {

Status RegisterAnalyticsOperators(OperatorRegistry& registry) {
  return RegisterTopNOperator(registry);
}

}  // namespace streamapp::operators
