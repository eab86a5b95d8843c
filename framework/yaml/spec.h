// The parsed form of a topology file: plain structs that remember where in
// the file everything was written. Parsing (YAML -> spec) and building
// (spec -> DSL graph) are separate so the structural checks do not depend on
// serdes, expressions or the DSL, and every later error can still point at
// the text that caused it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamapp/dsl.h"
#include "streamapp/operator_registry.h"
#include "streamapp/topology_file.h"

namespace streamapp::yaml {

// 1-based; line 0 means "no position" (e.g. the file could not be read).
struct Pos {
  int line = 0;
  int column = 0;
};

// Collects every problem of one file.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void Add(Pos pos, std::string message) { list_.push_back({file_, pos.line, pos.column, std::move(message)}); }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  // Ordered by position (stable), which is the order a reader meets them.
  std::vector<Diagnostic> Take();

 private:
  std::string file_;
  std::vector<Diagnostic> list_;
};

struct Text {
  std::string value;
  Pos pos;
};

// An expression as written, and where each of its bytes sits in the file so
// that compile errors can point at the offending character.
struct ExprText {
  std::string text;
  Pos pos;  // the scalar
  // columns[i] is the column of text[i] on pos.line (one extra entry for the
  // end). Empty when the scalar is not on one line (block or folded), where
  // only the scalar's position is known.
  std::vector<int> columns;

  Pos At(size_t offset) const;
};

// Steps the loader builds at graph level; every other operator (filter,
// map, ..., and plugin operators) is kOperator, built by its registry
// factory. Every kind is a registry declaration (see OperatorRegistry).
enum class StepKind {
  kOperator,
  kGroupBy,
  kGroupByKey,
  kAggregate,
  kCount,
  kReduce,
  kJoin,
  kBranch,
  kTo,
};
std::string_view StepKindName(StepKind kind);
// The structural kind of a registered operator's canonical name.
StepKind StepKindOf(std::string_view operator_name);

struct SinkSpec {
  Pos pos;
  // Written as a bare scalar: a stream name (its topic and serdes) or a
  // topic (string key, JSON value). Decided when building.
  bool by_name = false;
  std::optional<Text> topic;  // the scalar, or `topic:`
  std::optional<ExprText> topic_expr;
  Text key{"string", {}};
  Text value{"json", {}};
};

// `window:` of an aggregation, as written.
struct WindowText {
  Pos pos;  // the `window` key
  WindowSpec spec;
};

// `aggregate:` (and `count:`, its shorthand), and `reduce:`.
struct AggregationText {
  Text op;                        // count, sum, ... (validated); empty for custom aggregations and reduce
  std::optional<ExprText> field;  // all but count
  // A custom aggregation (`aggregate: {initial, add, merge}`): both initial
  // and add, or neither (then `op`). `merge` only with a session window.
  std::optional<ExprText> initial;
  std::optional<ExprText> add;
  std::optional<ExprText> merge;
  // `reduce: EXPR` / `reduce: {expr: EXPR}`.
  std::optional<ExprText> reducer;
  std::optional<WindowText> window;
  EmitMode emit = EmitMode::kUpdates;
  Text store;  // explicit store name; empty: derived from the node name
  bool in_memory = false;
  bool cached = true;
  Text repartition_key{"string", {}};
  Text repartition_value{"json", {}};

  // The store name: explicit, or the node name with '.' replaced by '-'
  // (store names become topic names "<app>-<store>-changelog").
  std::string StoreName(const std::string& node_name) const;
};

// `join:` as written. Whether `with` is a table, global table, stream or
// pipeline (and so which join it is) is decided when resolving.
struct JoinText {
  Text with;                          // required
  std::optional<ExprText> key;        // `key:`, the lookup key of a global table join
  Pos key_pos;                        // the `key` key (line 0: not written)
  JoinType type = JoinType::kInner;   // `type:`, default inner
  Pos type_pos;                       // the value of `type` (line 0: not written)
  std::optional<JoinWindows> window;  // `window:` or `within:`
  Pos window_pos;                     // the `window`/`within` key (line 0: neither)
  std::string window_key;             // "window" or "within"
  Text left_name{"left", {}};         // `as.left`
  Text right_name;                    // `as.right`; empty: the `with` name

  const std::string& RightName() const { return right_name.value.empty() ? with.value : right_name.value; }
};

struct StepSpec;

struct BranchCase {
  Pos pos;
  Text name;                     // optional explicit name
  std::string node_name;         // the case's output node; also the scope of its steps
  std::optional<ExprText> when;  // absent: `otherwise`
  std::vector<StepSpec> steps;
};

struct StepSpec {
  StepKind kind = StepKind::kOperator;
  std::string op_name;  // the operator's canonical name (as registered)
  // kOperator: the declaration (owned by FileSpec::registry) and the
  // validated parameters (a kObject value); no params: invalid, reported.
  const OperatorDecl* decl = nullptr;
  std::optional<ParamValue> params;
  Pos pos;  // the operator key
  Text name;
  std::string node_name;
  std::optional<ErrorHandling> on_error;
  ExprText expr;        // groupBy
  AggregationText agg;  // aggregate, count, reduce
  JoinText join;
  std::vector<BranchCase> cases;
  SinkSpec sink;
};

// `partitions: N` of a stream or table; pos.line 0: not written.
struct PartitionsText {
  int count = 0;
  Pos pos;
};

struct StreamSpec {
  Text name;
  std::vector<Text> topics;
  Text key{"string", {}};
  Text value{"json", {}};
  std::optional<Text> timestamp_field;
  int64_t max_future_ms = 0;  // `timestamp: {max_future: D}`; 0: no limit
  PartitionsText partitions;
};

// `tables:` — the latest value per key of topics, kept in a store; usable
// in `from` like a stream (the stream of its updates).
struct TableSpec {
  Text name;
  std::vector<Text> topics;
  Text key{"string", {}};
  Text value{"json", {}};
  Text store;  // empty: the table name
  bool in_memory = false;
  PartitionsText partitions;

  std::string node_name() const { return "table." + name.value; }
  std::string StoreName() const { return store.value.empty() ? name.value : store.value; }
};

// `global_tables:` — every worker keeps all partitions of one topic; only
// joins read it (`join: {with: <name>, key: EXPR}`), never `from`.
struct GlobalTableSpec {
  Text name;
  Text topic;  // line 0: missing (reported)
  Text key{"string", {}};
  Text value{"json", {}};
  Text store;  // empty: the global table name

  std::string StoreName() const { return store.value.empty() ? name.value : store.value; }
};

// An entry of `stores:`: settings for the store of that name, whichever
// step declares it.
struct StoreSettingsSpec {
  Text name;
  StoreOptions options;
};

struct PipelineSpec {
  Text name;
  std::vector<Text> from;
  std::optional<ErrorHandling> on_error;
  std::vector<StepSpec> steps;
  std::string merge_node;  // "<pipeline>.merge" (several inputs only)

  // Ends with to/branch: no output for other pipelines.
  bool terminal() const {
    return !steps.empty() && (steps.back().kind == StepKind::kTo || steps.back().kind == StepKind::kBranch);
  }
};

struct FileSpec {
  std::string base_dir;
  // The built-in operators plus those of the plugins this file (or the
  // caller) loads; steps point into it.
  std::shared_ptr<OperatorRegistry> registry;
  AppSettings app;
  ErrorHandling on_error = ErrorHandling::kDlq;
  std::vector<std::string> proto_paths;  // resolved against base_dir
  std::vector<StreamSpec> streams;
  std::vector<TableSpec> tables;
  std::vector<GlobalTableSpec> global_tables;
  std::vector<StoreSettingsSpec> stores;
  // False when `streams:` (or `tables:`) is missing or malformed: unknown
  // names in `from` are then a consequence already reported, not news.
  bool streams_valid = true;
  std::vector<PipelineSpec> pipelines;
  Pos pipelines_pos{1, 1};

  // Filled by ResolveSpec: pipeline indexes, producers before consumers;
  // pipelines in a cycle or with bad references are left out.
  std::vector<size_t> build_order;

  const StreamSpec* FindStream(std::string_view name) const;
  const TableSpec* FindTable(std::string_view name) const;
  const GlobalTableSpec* FindGlobalTable(std::string_view name) const;
  // A stream or a table: the names `from` reads besides pipelines.
  bool IsInput(std::string_view name) const { return FindStream(name) != nullptr || FindTable(name) != nullptr; }
  const PipelineSpec* FindPipeline(std::string_view name) const;
  // A table-table join: `step` joins with a table, and the stream it joins
  // is a table too (the pipeline reads one table and `step` is its first
  // step).
  bool JoinsTables(const PipelineSpec& p, const StepSpec& step) const;
};

// YAML text -> spec. Reports syntax and structural problems (unknown keys,
// wrong node kinds, missing keys, bad names) and keeps going.
// `plugins` (--plugin) are loaded before the file's own `plugins:`.
FileSpec ParseSpec(std::string_view text, const std::string& base_dir, Diagnostics& diags,
                   const std::vector<std::string>& plugins = {});

// Checks `from` references, cycles between pipelines and node-name
// uniqueness; fills build_order.
void ResolveSpec(FileSpec& spec, Diagnostics& diags);

// Spec -> DSL -> Topology: makes serdes, compiles expressions, and reports
// their errors at the text they came from. Builds only when nothing failed.
std::optional<Topology> BuildSpec(const FileSpec& spec, const SerdeOptions& serde_options, Diagnostics& diags);

}  // namespace streamapp::yaml
