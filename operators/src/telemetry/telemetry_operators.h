// Operators of the clickstream and IoT pipelines (pipelines.md, "3.
// Clickstream and IoT telemetry"), registered with the built-ins
// (operators/builtin.cc); docs/telemetry-operators.md describes them.
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

// silence: per key, one alert for each period without records longer than a
// timeout (a stream-time or wall-clock punctuator).
Status RegisterSilenceOperator(OperatorRegistry& registry);

Status RegisterTelemetryOperators(OperatorRegistry& registry);

}  // namespace streamapp::operators
