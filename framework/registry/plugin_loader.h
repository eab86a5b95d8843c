// Loading plugin shared libraries (see streamapp/plugin.h for the ABI).
#pragma once

#include <string>

#include "streamapp/operator_registry.h"

namespace streamapp::registry {

// Loads the shared library at `path`, checks its ABI version and registers
// its operators into `registry` (their origin is the path). Libraries stay
// loaded for the life of the process: the operator definitions they create
// may outlive any one topology.
Status LoadPlugin(const std::string& path, OperatorRegistry& registry);

}  // namespace streamapp::registry
