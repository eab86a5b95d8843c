#include "fraud/fraud_operators.h"

namespace streamapp::operators {

Status RegisterFraudOperators(OperatorRegistry&) {
  return Status::Ok();
}

}  // namespace streamapp::operators
