// The sections of a topology file outside the steps, declared with the same
// ParamDecl vocabulary as operators: the loader takes its key lists from
// here and the JSON Schema is generated from it.
#pragma once

#include <string>
#include <vector>

#include "streamapp/operator_registry.h"

namespace streamapp::registry {

// The whole file: an object whose fields are the top-level sections.
// `pipelines.*.steps` is of type kSteps (the registry's operators).
const ParamDecl& TopologyFileDecl();

// The field names of the object at `path` ("", "application", "streams",
// "tables", "global_tables", "pipelines"; for maps of objects, the item's).
std::vector<std::string> SectionKeys(const std::string& path);

}  // namespace streamapp::registry
