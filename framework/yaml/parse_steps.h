// Parsing of pipeline steps (shared by pipelines and branch cases).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "yaml/reader.h"
#include "yaml/spec.h"

namespace streamapp::yaml {

// Parses a `steps:` sequence. `scope` prefixes the node names: the pipeline
// name, or "<pipeline>.<case>" inside a branch case.
std::vector<StepSpec> ParseSteps(Reader& r, const YAML::Node& steps, const std::string& scope);

}  // namespace streamapp::yaml
