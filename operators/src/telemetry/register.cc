#include "telemetry/telemetry_operators.h"

namespace streamapp::operators {

Status RegisterTelemetryOperators(OperatorRegistry&) {
  return Status::Ok();
}

}  // namespace streamapp::operators
