// Parsing of pipeline steps (shared by pipelines and branch cases).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yaml/reader.h"
#include "yaml/spec.h"

namespace streamapp::yaml {

// Parses a `steps:` sequence. `scope` prefixes the node names: the pipeline
// name, or "<pipeline>.<case>" inside a branch case.
std::vector<StepSpec> ParseSteps(Reader& r, const YAML::Node& steps, const std::string& scope);

// The operator of an `aggregate:`, `count:` or `reduce:` step (step.kind
// says which) into step.agg (parse_aggregate.cc).
void ParseAggregation(Reader& r, StepSpec& step, const Reader::Entry& op);

// The operator of a `join:` step into step.join (parse_join.cc).
void ParseJoin(Reader& r, StepSpec& step, const Reader::Entry& op);

// The built-in aggregations `aggregate: {op: ...}` accepts.
const std::vector<std::string>& AggregationOps();

// "250" (milliseconds), "500ms", "30s", "5m", "2h", "1d" -> milliseconds.
// Nothing for anything else (signs, fractions, unknown units, overflow).
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace streamapp::yaml
