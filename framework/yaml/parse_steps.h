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

// A step's value checked against its operator's declaration: unknown
// parameters (with a suggestion), missing required ones, wrong types, all
// at their positions. Returns the parameters (a kObject value) when valid.
std::optional<ParamValue> ParseParams(Reader& r, const OperatorDecl& decl, const Reader::Entry& op);

// A declared default (written as in YAML) as a value of the parameter's type.
std::optional<ParamValue> DefaultValue(const ParamDecl& param);

// The parameter names a structural built-in accepts at `path` ("" for the
// step's own, or an object parameter such as "window"), from its declaration.
std::vector<std::string> DeclaredKeys(std::string_view operator_name, std::string_view path = {});

Pos ToPos(SourcePos p);
SourcePos ToSourcePos(Pos p);

// The built-in aggregations `aggregate: {op: ...}` accepts.
const std::vector<std::string>& AggregationOps();

// "250" (milliseconds), "500ms", "30s", "5m", "2h", "1d" -> milliseconds.
// Nothing for anything else (signs, fractions, unknown units, overflow).
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace streamapp::yaml
