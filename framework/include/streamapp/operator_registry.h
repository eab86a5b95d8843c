// The operator registry: every step a topology file can name — built-in or
// from a plugin — is declared here once. The declaration drives parameter
// validation (unknown, missing, wrongly typed parameters, with positions),
// `stream-app operators`, docs/operators.md and docs/topology.schema.json,
// so none of them can drift from what the loader accepts.
//
// Built-in operators (operators/) and plugins (streamapp/plugin.h) register
// through the same call: OperatorRegistry::Register.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamapp/expr.h"
#include "streamapp/processor.h"
#include "streamapp/status.h"

namespace streamapp {

enum class ParamType {
  kString,      // any scalar, as text
  kInt,         // a 64-bit integer
  kDouble,      // a number
  kBool,        // true / false
  kDuration,    // milliseconds, or an integer with a unit: 500ms, 30s, 5m, 2h, 1d
  kExpression,  // an expression (docs/expressions.md), compiled by the operator
  kField,       // a field path into the value: a.b[0].c
  kEnum,        // one of ParamDecl::choices
  kList,        // a sequence of ParamDecl::item (a single scalar is a one-item list)
  kMap,         // a mapping of free keys to ParamDecl::item
  kObject,      // a mapping of the declared ParamDecl::fields
  kSteps,       // a nested list of steps (branch cases)
};
std::string_view ParamTypeName(ParamType type);

struct ParamDecl {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  std::string default_value;              // as it would be written in YAML; "" = none
  std::string doc;                        // one line
  std::vector<std::string> choices;       // kEnum
  std::shared_ptr<const ParamDecl> item;  // kList, kMap: the element (and, for kMap, key doc in doc)
  std::vector<ParamDecl> fields;          // kObject
  // kObject only: written like the value of this operator (e.g. a branch
  // case's `to`), which declares the fields; "" = `fields` as declared.
  std::string same_as_operator;
};

// A store the operator's tasks get; `name_suffix` is appended to the step's
// node name (stores are named after nodes so that they are stable).
struct StoreDecl {
  std::string name_suffix;
  StoreKind kind = StoreKind::kKeyValue;
  std::string doc;
};

// Where a parameter value sits in the topology file (1-based; 0 = unknown).
struct SourcePos {
  int line = 0;
  int column = 0;
};

// A validated parameter value. Scalars keep their text (and expressions the
// column of each byte) so that errors found later still point at the text.
struct ParamValue {
  ParamType type = ParamType::kString;
  SourcePos pos;
  std::string text;               // scalars as written (kEnum: the choice)
  int64_t int_value = 0;          // kInt; kDuration in milliseconds
  double double_value = 0;        // kDouble
  bool bool_value = false;        // kBool
  std::vector<int> columns;       // kExpression on one line: column of each byte of text (+1 for the end)
  std::vector<ParamValue> items;  // kList
  std::vector<std::pair<std::string, ParamValue>> entries;  // kMap, kObject (in file order)
  std::vector<SourcePos> entry_key_pos;                     // kMap, kObject: the key of each entry

  const ParamValue* Find(std::string_view name) const;
  // The position of byte `offset` of an expression's text.
  SourcePos At(size_t offset) const;
};

// What a factory sees while building one step.
class OperatorBuildContext {
 public:
  virtual ~OperatorBuildContext() = default;
  // The step's stable node name ("<pipeline>.<name or index-operator>");
  // name stores after it.
  virtual const std::string& node_name() const = 0;
  // A store name for this step: the node name with '.' replaced by '-'
  // (store names become changelog topic names) plus `suffix`.
  std::string StoreName(std::string_view suffix = {}) const {
    std::string out = node_name();
    for (char& c : out) c = c == '.' ? '-' : c;
    return out + std::string(suffix);
  }
  // A declared parameter: as written, else its default; null when neither.
  virtual const ParamValue* Param(std::string_view name) const = 0;
  // Compiles an expression parameter; compile errors (and a static type
  // outside `allowed`, when given) are reported at the offending character
  // and nothing is returned.
  virtual std::optional<expr::Expression> CompileExpression(const ParamValue& value, std::string_view what,
                                                            const std::vector<expr::StaticType>& allowed) = 0;
  std::optional<expr::Expression> CompileExpression(const ParamValue& value, std::string_view what) {
    return CompileExpression(value, what, {});
  }
  // The operator key of the step, for problems of the step as a whole.
  virtual SourcePos step_pos() const = 0;
  // Reports a problem at a position in the file (the step is not built).
  virtual void Error(SourcePos pos, std::string message) = 0;
  // A file named by a parameter (a model, a lookup file): a relative path is
  // relative to the topology file's directory, as for plugins and
  // proto_paths, so a topology runs the same from any working directory.
  virtual std::string ResolvePath(std::string_view path) const = 0;
};

// Builds the immutable definition of one configured step; null after
// reporting errors through the context.
using OperatorFactory = std::function<std::shared_ptr<const OperatorDef>(OperatorBuildContext& context)>;

struct OperatorDecl {
  std::string name;
  std::vector<std::string> aliases;
  std::string doc;  // one line
  std::vector<ParamDecl> params;
  // When the step's value is a scalar (`filter: "amount > 0"`), it is this
  // parameter's value; "" = the value must be a mapping of parameters.
  std::string shorthand;
  // `op: true`, `op: {}` or `op:` alone are accepted (every parameter
  // optional), e.g. `count: true`.
  bool flag_form = false;
  // The value is a list of parameter mappings (branch cases) rather than one.
  bool list_form = false;
  std::vector<StoreDecl> stores;
  bool changes_key = false;
  // Needs graph-level building by the loader (branch, to, grouping,
  // aggregations, joins); such operators declare parameters but no factory.
  bool structural = false;
  OperatorFactory factory;
  // "builtin", or the plugin file it came from (set by the registry).
  std::string origin;

  const ParamDecl* FindParam(std::string_view param) const;
  std::vector<std::string> ParamNames() const;
};

class OperatorRegistry {
 public:
  // Adds an operator. Refuses a name or alias already taken, a declaration
  // without a factory (unless structural), and malformed parameters.
  Status Register(OperatorDecl decl);
  // By name or alias; null when unknown.
  const OperatorDecl* Find(std::string_view name) const;
  // In registration order.
  const std::vector<std::shared_ptr<const OperatorDecl>>& operators() const { return operators_; }
  // Names and aliases, for suggestions.
  std::vector<std::string> AllNames() const;
  // Operators registered from now on record this as their origin.
  void set_origin(std::string origin) { origin_ = std::move(origin); }

 private:
  std::vector<std::shared_ptr<const OperatorDecl>> operators_;
  std::map<std::string, size_t, std::less<>> by_name_;
  std::string origin_ = "builtin";
};

// The built-in operators, registered once (explicitly, on first use) by
// RegisterBuiltinOperators.
const OperatorRegistry& BuiltinOperatorRegistry();

// Defined by the built-in operators library (operators/builtin.cc): registers
// every built-in operator through OperatorRegistry::Register, as a plugin does.
Status RegisterBuiltinOperators(OperatorRegistry& registry);

// Generated reference: the same text `stream-app operators` prints.
std::string OperatorsTable(const OperatorRegistry& registry);
std::string OperatorsJson(const OperatorRegistry& registry);
std::string OperatorsMarkdown(const OperatorRegistry& registry);
// A JSON Schema (draft 2020-12) of the topology file format.
std::string TopologyJsonSchema(const OperatorRegistry& registry);

}  // namespace streamapp
