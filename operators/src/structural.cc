// Declarations of the operators the loader builds at graph level: branch,
// to, groupBy, groupByKey, aggregate, count, reduce, join. They have no
// factory, but their parameters are declared here and the loader takes its
// accepted keys from these declarations, so the reference, the schema and
// validation cannot drift.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>

#include "streamapp/operators/builtin.h"

namespace streamapp::operators {
namespace {

ParamDecl Duration(std::string name, std::string doc, bool required = false, std::string default_value = "") {
  return {.name = std::move(name),
          .type = ParamType::kDuration,
          .required = required,
          .default_value = std::move(default_value),
          .doc = std::move(doc)};
}

ParamDecl Expr(std::string name, std::string doc, bool required = false) {
  return {.name = std::move(name), .type = ParamType::kExpression, .required = required, .doc = std::move(doc)};
}

ParamDecl Text(std::string name, std::string doc, std::string default_value = "") {
  return {.name = std::move(name),
          .type = ParamType::kString,
          .default_value = std::move(default_value),
          .doc = std::move(doc)};
}

ParamDecl Bool(std::string name, std::string doc, std::string default_value) {
  return {.name = std::move(name),
          .type = ParamType::kBool,
          .default_value = std::move(default_value),
          .doc = std::move(doc)};
}

// The options every aggregation shares (aggregate, count, reduce).
std::vector<ParamDecl> AggregationOptions() {
  return {
      {.name = "window",
       .type = ParamType::kObject,
       .doc = "window the aggregation: exactly one of tumbling, hopping, sliding, session",
       .fields = {Duration("tumbling", "fixed windows of this size"),
                  Duration("hopping", "windows of this size starting every 'advance'"),
                  Duration("sliding", "windows of records at most this far apart"),
                  Duration("session", "sessions closed by this much inactivity (the gap)"),
                  Duration("advance", "hopping only (required there): how far each window starts after the last"),
                  Duration("grace", "how late a record may be and still count", false, "0")}},
      {.name = "emit",
       .type = ParamType::kEnum,
       .default_value = "updates",
       .doc = "every update, or one final result per window (needs a window)",
       .choices = {"updates", "final"}},
      Text("store", "store name; default the node name with '.' replaced by '-'"),
      Bool("in_memory", "keep the store in memory instead of RocksDB", "false"),
      Bool("cache", "fold updates per key between commits", "true"),
      {.name = "repartition",
       .type = ParamType::kObject,
       .doc = "serdes of the repartition topic (used when the key changed upstream)",
       .fields = {Text("key", "key serde", "string"), Text("value", "value serde", "json")}},
  };
}

std::vector<StoreDecl> AggregationStore() {
  return {{.name_suffix = "",
           .kind = StoreKind::kKeyValue,
           .doc = "the aggregates (named by 'store'; a window or session store when windowed)"}};
}

std::vector<ParamDecl> With(std::vector<ParamDecl> first, std::vector<ParamDecl> rest) {
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

OperatorDecl To() {
  return {.name = "to",
          .doc = "Writes the records to a topic (the last step): a stream or table name, a topic, or a computed topic.",
          .params = {Text("topic", "a stream or table name (its topic and serdes) or a topic"),
                     Expr("topic_expr", "the topic, computed per record (a non-empty string)"),
                     Text("key", "key serde (with topic or topic_expr)", "string"),
                     Text("value", "value serde (with topic or topic_expr)", "json")},
          .shorthand = "topic",
          .structural = true};
}

OperatorDecl Branch() {
  return {.name = "branch",
          .doc =
              "Routes each record to the first case whose condition holds (the last step); cases go on with "
              "their own steps.",
          .params = {Expr("when", "the case's condition (or otherwise)"),
                     Bool("otherwise", "the case taking the rest (at most one, last)", "false"),
                     Text("name", "the case's node name"),
                     {.name = "steps", .type = ParamType::kSteps, .doc = "the case's steps"},
                     {.name = "to",
                      .type = ParamType::kObject,
                      .doc = "shorthand for a final 'to' step",
                      .same_as_operator = "to"}},
          .list_form = true,
          .structural = true};
}

OperatorDecl GroupBy() {
  return {.name = "groupBy",
          .aliases = {"group_by"},
          .doc = "Sets the key the next step (aggregate, count or reduce) groups by; repartitions.",
          .params = {Expr("expr", "the grouping key", true)},
          .shorthand = "expr",
          .changes_key = true,
          .structural = true};
}

OperatorDecl GroupByKey() {
  return {.name = "groupByKey",
          .aliases = {"group_by_key"},
          .doc = "Says explicitly that the next aggregation groups by the current key (the default).",
          .flag_form = true,
          .structural = true};
}

OperatorDecl Aggregate() {
  return {.name = "aggregate",
          .doc = "Aggregates per key (and window): a built-in op on a field, or initial/add(/merge) expressions.",
          .params = With({{.name = "op",
                           .type = ParamType::kEnum,
                           .doc = "a built-in aggregation (or use initial and add)",
                           .choices = {"count", "sum", "min", "max", "avg", "first", "last", "count_distinct"}},
                          Expr("field", "the value to aggregate (all ops but count)"),
                          Expr("initial", "the aggregate of a new key (with add)"),
                          Expr("add", "the new aggregate from agg, value and key (with initial)"),
                          Expr("merge", "session windows: the aggregate of two merged sessions, from left and right")},
                         AggregationOptions()),
          .stores = AggregationStore(),
          .structural = true};
}

OperatorDecl Count() {
  return {.name = "count",
          .doc = "Counts records per key (and window).",
          .params = AggregationOptions(),
          .flag_form = true,
          .stores = AggregationStore(),
          .structural = true};
}

OperatorDecl Reduce() {
  return {.name = "reduce",
          .doc = "Combines the values of a key (and window): the first value, then expr over agg, value and key.",
          .params = With({Expr("expr", "the new aggregate from agg, value and key", true)}, AggregationOptions()),
          .shorthand = "expr",
          .stores = AggregationStore(),
          .structural = true};
}

OperatorDecl Join() {
  return {
      .name = "join",
      .doc = "Joins with a table, a global table, a stream or a pipeline; the value becomes {left: ..., right: ...}.",
      .params = {{.name = "with",
                  .type = ParamType::kString,
                  .required = true,
                  .doc = "the table, global table, stream or pipeline to join with"},
                 Expr("key", "global tables only (required there): the key to look up"),
                 {.name = "type",
                  .type = ParamType::kEnum,
                  .default_value = "inner",
                  .doc = "inner, left, or outer (stream-stream and table-table only)",
                  .choices = {"inner", "left", "outer"}},
                 {.name = "window",
                  .type = ParamType::kObject,
                  .doc = "stream-stream joins (or within): how far apart matching records may be",
                  .fields = {Duration("before", "how much earlier the other side may be", true),
                             Duration("after", "how much later the other side may be", true),
                             Duration("grace", "how late a record may arrive", false, "0")}},
                 Duration("within", "shorthand for window: {before: D, after: D}"),
                 {.name = "as",
                  .type = ParamType::kObject,
                  .doc = "names of the two sides in the output",
                  .fields = {Text("left", "this side's field", "left"),
                             Text("right", "the other side's field; default the 'with' name")}}},
      .stores = {{.name_suffix = "-this-store",
                  .kind = StoreKind::kWindow,
                  .doc = "stream-stream joins: this side's records"},
                 {.name_suffix = "-other-store",
                  .kind = StoreKind::kWindow,
                  .doc = "stream-stream joins: the other side's records"}},
      .structural = true};
}

}  // namespace

Status RegisterStructuralOperators(OperatorRegistry& registry) {
  for (OperatorDecl decl : {GroupBy(), GroupByKey(), Aggregate(), Count(), Reduce(), Join(), Branch(), To()}) {
    RETURN_IF_ERROR(registry.Register(std::move(decl)));
  }
  return Status::Ok();
}

}  // namespace streamapp::operators
