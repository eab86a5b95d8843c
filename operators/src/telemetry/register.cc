#include "telemetry/telemetry_operators.h"

namespace streamapp::operators {

Status RegisterTelemetryOperators(OperatorRegistry& registry) {
  return RegisterSilenceOperator(registry);
}

}  // namespace streamapp::operators
