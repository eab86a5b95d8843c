#include "fraud/fraud_operators.h"

namespace streamapp::operators {

Status RegisterFraudOperators(OperatorRegistry& registry) {
  RETURN_IF_ERROR(RegisterCustomerFeaturesOperator(registry));
  return RegisterFraudScoreOperator(registry);
}

}  // namespace streamapp::operators
