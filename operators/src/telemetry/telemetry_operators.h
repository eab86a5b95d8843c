// Operators of the clickstream and IoT pipelines (pipelines.md, "3.
// Clickstream and IoT telemetry"), registered with the built-ins
// (operators/builtin.cc).
#pragma once

#include "streamapp/operator_registry.h"

namespace streamapp::operators {

Status RegisterTelemetryOperators(OperatorRegistry& registry);

}  // namespace streamapp::operators
