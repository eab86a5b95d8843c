// Spec -> DSL graph. Serdes and expressions are made here, so their errors
// are reported at the YAML text they came from; the graph is only built when
// the whole file is free of errors (later errors would be noise).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "dsl/aggregate_ops.h"
#include "streamapp/expr.h"
#include "streamapp/value.h"
#include "yaml/parse_steps.h"
#include "yaml/reader.h"
#include "yaml/spec.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

using expr::Expression;
using expr::StaticType;

std::string_view StaticTypeName(StaticType t) {
  switch (t) {
    case StaticType::kAny: return "any value";
    case StaticType::kNull: return "always null";
    case StaticType::kBool: return "a boolean";
    case StaticType::kInt: return "an integer";
    case StaticType::kDouble: return "a double";
    case StaticType::kNumber: return "a number";
    case StaticType::kString: return "a string";
    case StaticType::kArray: return "an array";
    case StaticType::kObject: return "an object";
  }
  return "?";
}

class Builder {
 public:
  Builder(const FileSpec& spec, const SerdeOptions& options, Diagnostics& diags)
      : spec_(spec), options_(options), diags_(diags) {}

  std::optional<Topology> Run() {
    for (const StreamSpec& s : spec_.streams) {
      const std::string what = "stream '" + s.name.value + "'";
      stream_serdes_[s.name.value] = {MakeSerdeAt(s.key, what + " key"), MakeSerdeAt(s.value, what + " value")};
    }
    for (const TableSpec& t : spec_.tables) {
      const std::string what = "table '" + t.name.value + "'";
      stream_serdes_[t.name.value] = {MakeSerdeAt(t.key, what + " key"), MakeSerdeAt(t.value, what + " value")};
    }
    for (const GlobalTableSpec& g : spec_.global_tables) {
      const std::string what = "global table '" + g.name.value + "'";
      stream_serdes_[g.name.value] = {MakeSerdeAt(g.key, what + " key"), MakeSerdeAt(g.value, what + " value")};
    }
    for (size_t i : spec_.build_order) Pipeline(spec_.pipelines[i]);
    checking_only_ = true;
    // Pipelines with bad references are not in the build order; their steps
    // still get checked, on a scratch graph that is never built.
    for (size_t i = 0; i < spec_.pipelines.size(); ++i) {
      if (std::find(spec_.build_order.begin(), spec_.build_order.end(), i) != spec_.build_order.end()) continue;
      const PipelineSpec& p = spec_.pipelines[i];
      const ErrorHandling h = p.on_error.value_or(spec_.on_error);
      pipeline_ = &p;
      Steps(scratch_.Stream("scratch." + p.name.value, {"scratch"}, {}, h), p.steps, h);
    }
    if (!diags_.empty()) return std::nullopt;
    ConfigureStores();
    Result<Topology> built = builder_.Build();
    if (!built.ok()) ReportBuildErrors(built.status().message());
    if (!diags_.empty()) return std::nullopt;
    return std::move(built).value();
  }

 private:
  using SerdePtr = std::shared_ptr<const Serde>;

  // What a registered operator's factory sees: its parameters (defaults
  // filled in), and expression compiling and errors at file positions.
  class StepContext final : public OperatorBuildContext {
   public:
    StepContext(Builder& builder, const StepSpec& step) : builder_(builder), step_(step) {}
    const std::string& node_name() const override { return step_.node_name; }
    const ParamValue* Param(std::string_view name) const override {
      if (const ParamValue* written = step_.params->Find(name)) return written;
      const ParamDecl* decl = step_.decl->FindParam(name);
      if (decl == nullptr) return nullptr;
      auto it = defaults_.find(decl->name);
      if (it == defaults_.end()) it = defaults_.emplace(decl->name, DefaultValue(*decl)).first;
      return it->second ? &*it->second : nullptr;
    }
    std::optional<Expression> CompileExpression(const ParamValue& value, std::string_view what,
                                                const std::vector<StaticType>& allowed) override {
      const size_t before = builder_.diags_.size();
      std::optional<Expression> e =
          builder_.Compile(ExprText{value.text, ToPos(value.pos), value.columns}, what, allowed);
      reported_ = reported_ || builder_.diags_.size() > before;
      return e;
    }
    SourcePos step_pos() const override { return ToSourcePos(step_.pos); }
    void Error(SourcePos pos, std::string message) override {
      reported_ = true;
      builder_.diags_.Add(pos.line > 0 ? ToPos(pos) : step_.pos, std::move(message));
    }
    std::string ResolvePath(std::string_view path) const override {
      std::filesystem::path p(path);
      if (p.is_relative() && !builder_.spec_.base_dir.empty()) p = std::filesystem::path(builder_.spec_.base_dir) / p;
      return p.lexically_normal().string();
    }
    bool reported() const { return reported_; }

   private:
    Builder& builder_;
    const StepSpec& step_;
    mutable std::map<std::string, std::optional<ParamValue>> defaults_;
    bool reported_ = false;
  };

  SerdePtr MakeSerdeAt(const Text& spec, const std::string& what) {
    auto it = serdes_.find(spec.value);
    if (it == serdes_.end()) it = serdes_.emplace(spec.value, MakeSerde(spec.value, options_)).first;
    if (it->second.ok()) return *it->second;
    diags_.Add(spec.pos.line > 0 ? spec.pos : spec_.pipelines_pos, what + ": " + it->second.status().message());
    return nullptr;
  }

  std::optional<Expression> Compile(const ExprText& e, std::string_view what,
                                    const std::vector<StaticType>& allowed = {}) {
    size_t offset = 0;
    Result<Expression> x = Expression::Compile(e.text, &offset);
    if (!x.ok()) {
      // The column says where; an "(at offset N)" suffix would only repeat it.
      std::string message = x.status().message();
      const size_t at = message.rfind(" (at offset ");
      if (at != std::string::npos && message.back() == ')') message.erase(at);
      diags_.Add(e.At(offset), std::string(what) + ": " + message);
      return std::nullopt;
    }
    const StaticType t = x->static_type();
    if (allowed.size() > 0 && t != StaticType::kAny && std::find(allowed.begin(), allowed.end(), t) == allowed.end()) {
      diags_.Add(e.At(0), std::string(what) + ": expected " + std::string(StaticTypeName(*allowed.begin())) +
                              ", but '" + e.text + "' is " + std::string(StaticTypeName(t)));
      return std::nullopt;
    }
    return std::move(x).value();
  }

  // A pipeline's output, a stream's source or a table's updates (created on
  // first use). Nothing when the producer could not be built (its errors are
  // already reported).
  std::optional<KStream> Input(const std::string& name) {
    if (auto it = outputs_.find(name); it != outputs_.end()) return it->second;
    if (auto it = sources_.find(name); it != sources_.end()) return it->second;
    if (const TableSpec* table = spec_.FindTable(name)) return Table(*table);
    const StreamSpec* found = spec_.FindStream(name);
    if (found == nullptr) return std::nullopt;
    const StreamSpec& s = *found;
    std::vector<std::string> topics;
    for (const Text& t : s.topics) topics.push_back(t.value);
    CheckNotGlobal(s.topics, "stream '" + name + "'");
    Consumed consumed{
        stream_serdes_[name].first, stream_serdes_[name].second,
        TimestampSpec{s.timestamp_field ? s.timestamp_field->value : "", std::chrono::milliseconds(s.max_future_ms)},
        s.partitions.count};
    for (const Text& t : s.topics) topic_pos_[t.value] = s.partitions.pos.line > 0 ? s.partitions.pos : t.pos;
    const std::string node = "stream." + name;
    node_pos_[node] = s.name.pos;
    return sources_.emplace(name, builder_.Stream(node, std::move(topics), std::move(consumed), spec_.on_error))
        .first->second;
  }

  KStream Table(const TableSpec& t) {
    std::vector<std::string> topics;
    for (const Text& topic : t.topics) topics.push_back(topic.value);
    CheckNotGlobal(t.topics, "table '" + t.name.value + "'");
    const auto& [key, value] = stream_serdes_[t.name.value];
    Materialized materialized;
    materialized.store = t.StoreName();
    materialized.in_memory = t.in_memory;
    const std::string node = t.node_name();
    node_pos_[node] = t.name.pos;
    node_pos_[node + "-source"] = t.name.pos;
    for (const Text& topic : t.topics) {
      topic_pos_[topic.value] = t.partitions.pos.line > 0 ? t.partitions.pos : topic.pos;
    }
    KStream s = builder_.Table(node, std::move(topics), Consumed{key, value, {}, t.partitions.count},
                               std::move(materialized), spec_.on_error);
    return sources_.emplace(t.name.value, s).first->second;
  }

  // A global table's topic is read by the global table alone (the DSL
  // refuses it at Build; said here at the stream's topic, when the stream is
  // read: writing to the topic with `to` is fine).
  void CheckNotGlobal(const std::vector<Text>& topics, const std::string& what) {
    for (const Text& t : topics) {
      for (const GlobalTableSpec& g : spec_.global_tables) {
        if (g.topic.value != t.value) continue;
        diags_.Add(t.pos, "topic '" + t.value + "' of " + what + " is also the topic of global table '" + g.name.value +
                              "' (at " + std::to_string(g.topic.pos.line) + ":" + std::to_string(g.topic.pos.column) +
                              "); a global table's topic cannot be read by a stream or table too, join with "
                              "the global table instead");
      }
    }
  }

  // Registers a global table on first use (like streams, one no join reads
  // is not part of the topology).
  void UseGlobalTable(const GlobalTableSpec& g) {
    if (!globals_used_.insert(g.name.value).second) return;
    const auto& [key, value] = stream_serdes_[g.name.value];
    Materialized materialized;
    materialized.store = g.StoreName();
    global_pos_[g.name.value] = g.name.pos;
    builder_.GlobalTable(g.name.value, g.topic.value, Consumed{key, value, {}}, std::move(materialized));
  }

  void Pipeline(const PipelineSpec& p) {
    const ErrorHandling h = p.on_error.value_or(spec_.on_error);
    std::optional<KStream> in;
    for (size_t k = 0; k < p.from.size(); ++k) {
      std::optional<KStream> input = Input(p.from[k].value);
      if (!input) return;
      KStream s = input->OnError(h);
      if (!in) {
        in = s;
        continue;
      }
      // Merge is binary: chain it, the last merge carrying the stable name.
      const std::string name = k + 1 == p.from.size() ? p.merge_node : p.merge_node + "-" + std::to_string(k);
      node_pos_[name] = p.name.pos;
      in = in->Merge(name, s);
    }
    if (!in) return;
    pipeline_ = &p;
    if (std::optional<KStream> out = Steps(*in, p.steps, h)) outputs_.emplace(p.name.value, *out);
  }

  // Returns the stream after the steps, or nothing when they end in to/branch.
  std::optional<KStream> Steps(KStream s, const std::vector<StepSpec>& steps, ErrorHandling h) {
    bool ended = false;
    for (const StepSpec& step : steps) {
      node_pos_[step.node_name] = step.pos;
      const KStream at = step.on_error ? s.OnError(*step.on_error) : s;
      std::optional<KStream> next = Step(at, step, h);
      // Steps after to/branch are an error already reported; they are still
      // checked (attached anywhere: the graph will not be built).
      if (!next) {
        ended = true;
        continue;
      }
      s = step.on_error ? next->OnError(h) : *next;
    }
    if (ended) return std::nullopt;
    return s;
  }

  std::optional<KStream> Step(const KStream& s, const StepSpec& step, ErrorHandling h) {
    const std::string& name = step.node_name;
    switch (step.kind) {
      case StepKind::kOperator: {
        // A registered operator: validated parameters -> its factory -> a
        // definition, attached like any custom operator (plugins included).
        if (!step.params || !step.decl->factory) return s;  // invalid: reported while parsing
        StepContext context(*this, step);
        std::shared_ptr<const OperatorDef> def = step.decl->factory(context);
        if (!def) {
          if (!context.reported()) diags_.Add(step.pos, "operator '" + step.op_name + "' could not be built");
          return s;
        }
        return s.Process(name, std::move(def));
      }
      case StepKind::kGroupBy: {
        // GroupBy is SelectKey plus grouping; the grouping happens at the
        // aggregation (always the next step), which repartitions because
        // the key changed. Built this way the selector node shows its
        // expression and the aggregation keeps its own on_error.
        auto c = Compile(step.expr, "groupBy");
        if (!c) return s;
        return s.SelectKey(name, [e = *c](const Record& r) { return e.Evaluate(r); }).WithDetail(step.expr.text);
      }
      case StepKind::kGroupByKey: return s;  // the aggregation groups by the current key
      case StepKind::kAggregate:
      case StepKind::kCount:
      case StepKind::kReduce: return Aggregation(s, step);
      case StepKind::kJoin: return Join(s, step, step.on_error.value_or(h));
      case StepKind::kBranch: Branch(s, step, h); return std::nullopt;
      case StepKind::kTo: To(s, step); return std::nullopt;
    }
    return s;
  }

  static std::string WindowDetail(const WindowSpec& w, EmitMode emit) {
    auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; };
    std::string out;
    switch (w.type) {
      case WindowSpec::Type::kTumbling: out = "tumbling windows size " + ms(w.size); break;
      case WindowSpec::Type::kHopping: out = "hopping windows size " + ms(w.size) + " advance " + ms(w.advance); break;
      case WindowSpec::Type::kSliding: out = "sliding windows size " + ms(w.size); break;
      case WindowSpec::Type::kSession: out = "session windows gap " + ms(w.gap); break;
    }
    return out + " grace " + ms(w.grace) + ", emit " + (emit == EmitMode::kFinal ? "final" : "updates");
  }

  // The record an `add` or reduce expression sees: the value is {agg,
  // value, key}; key, timestamp, headers and source are the original's.
  static Record Folding(const Record& r, Value aggregate) {
    return Record{
        r.key, Value(Value::Object{Field{"agg", std::move(aggregate)}, Field{"value", r.value}, Field{"key", r.key}}),
        r.timestamp, r.headers, r.source};
  }

  // The record a merge expression sees (no key, timestamp or headers: two
  // sessions merge, not records).
  static Record Merging(std::string_view left_name, Value left, std::string_view right_name, Value right) {
    Record m;
    m.value = Value(Value::Object{Field{std::string(left_name), std::move(left)},
                                  Field{std::string(right_name), std::move(right)}});
    return m;
  }

  // `initial` + `add` (+ `merge`); the aggregate is emitted as is.
  static AggregationFns CustomFns(Expression initial, Expression add, std::optional<Expression> merge) {
    AggregationFns fns;
    fns.init = [e = std::move(initial)]() { return e.Evaluate(Record{}); };
    fns.add = [e = std::move(add)](const Record& r, Value aggregate) {
      return e.Evaluate(Folding(r, std::move(aggregate)));
    };
    if (merge) {
      fns.merge = [e = std::move(*merge)](Value left, Value right) {
        return e.Evaluate(Merging("left", std::move(left), "right", std::move(right)));
      };
    }
    return fns;
  }

  // As KGroupedStream::Reduce (a key's first value is its aggregate; a null
  // aggregate starts over), with the key in reach of the expression, which
  // Reducer does not give; also what windowed reduces use.
  static AggregationFns ReduceFns(Expression reducer) {
    AggregationFns fns;
    fns.init = []() -> Result<Value> { return Value(); };
    fns.add = [e = reducer](const Record& r, Value aggregate) -> Result<Value> {
      if (aggregate.is_null()) return r.value;
      return e.Evaluate(Folding(r, std::move(aggregate)));
    };
    // Two sessions: agg is the earlier one's aggregate, value the later's.
    fns.merge = [e = std::move(reducer)](Value left, Value right) -> Result<Value> {
      if (left.is_null()) return right;
      if (right.is_null()) return left;
      Record m = Merging("agg", std::move(left), "value", std::move(right));
      m.value.as_object().push_back(Field{"key", Value()});
      return e.Evaluate(m);
    };
    return fns;
  }

  // Groups by the current key (a preceding groupBy changed it) and
  // aggregates; the stream of updates goes on.
  std::optional<KStream> Aggregation(const KStream& s, const StepSpec& step) {
    const AggregationText& a = step.agg;
    const bool reduce = step.kind == StepKind::kReduce;
    const bool custom = !reduce && (a.initial || a.add || a.merge);
    std::optional<Expression> field, initial, add, merge, reducer;
    if (reduce) {
      if (a.reducer && !(reducer = Compile(*a.reducer, "reduce"))) return s;
    } else if (custom) {
      // Every expression is checked before giving up.
      bool ok = true;
      for (auto [text, out, what] :
           {std::tuple{&a.initial, &initial, "aggregate initial"}, std::tuple{&a.add, &add, "aggregate add"},
            std::tuple{&a.merge, &merge, "aggregate merge"}}) {
        if (*text && !(*out = Compile(**text, what))) ok = false;
      }
      if (!ok) return s;
    } else if (a.field) {
      const bool numeric = a.op.value == "sum" || a.op.value == "avg";
      field = numeric ? Compile(*a.field, "aggregate field",
                                {StaticType::kNumber, StaticType::kInt, StaticType::kDouble, StaticType::kNull})
                      : Compile(*a.field, "aggregate field");
      if (!field) return s;
    }
    Grouped grouped{MakeSerdeAt(a.repartition_key, "repartition key"),
                    MakeSerdeAt(a.repartition_value, "repartition value")};
    if (!grouped.key || !grouped.value) return s;
    AggregationFns fns;
    Finisher finish;
    std::string detail;
    // Missing pieces (an unknown op, a missing field, initial without add,
    // a session window without merge, ...) were reported while parsing.
    if (reduce) {
      if (!reducer) return s;
      detail = "reduce(" + a.reducer->text + ")";
      fns = ReduceFns(std::move(*reducer));
    } else if (custom) {
      const bool session = a.window && a.window->spec.type == WindowSpec::Type::kSession;
      if (!initial || !add || session != merge.has_value() || !a.op.value.empty()) return s;
      detail = "initial " + a.initial->text + ", add " + a.add->text;
      if (a.merge) detail += ", merge " + a.merge->text;
      fns = CustomFns(std::move(*initial), std::move(*add), std::move(merge));
    } else {
      if (a.op.value.empty() || (a.op.value != "count" && !a.field)) return s;
      Result<AggregationFns> builtin = dsl::BuiltinAggregation(a.op.value, field);
      if (!builtin.ok()) {
        diags_.Add(a.op.pos, builtin.status().message());
        return s;
      }
      fns = std::move(builtin).value();
      finish = dsl::BuiltinFinisher(a.op.value);
      detail = a.op.value + (a.field ? "(" + a.field->text + ")" : "");
    }
    Materialized materialized;
    materialized.store = a.StoreName(step.node_name);
    materialized.in_memory = a.in_memory;
    materialized.cached = a.cached;
    if (a.window) detail += ", " + WindowDetail(a.window->spec, a.emit);
    detail += ", store " + materialized.store;
    KGroupedStream g = s.GroupByKey(std::move(grouped));
    const std::string& name = step.node_name;
    node_pos_[name + "-repartition-sink"] = step.pos;
    node_pos_[name + "-repartition-source"] = step.pos;
    if (!a.window) {
      return g.Aggregate(name, std::move(fns), std::move(materialized), std::move(finish)).WithDetail(detail);
    }
    return g.WindowedAggregate(name, a.window->spec, a.emit, std::move(fns), std::move(materialized), std::move(finish))
        .WithDetail(detail);
  }

  static std::string_view JoinTypeText(JoinType t) {
    switch (t) {
      case JoinType::kInner: return "inner";
      case JoinType::kLeft: return "left";
      case JoinType::kOuter: return "outer";
    }
    return "?";
  }

  // The output value is {left-name: left value, right-name: right value}
  // (a missing side is null). Which join: see FileSpec::JoinsTables.
  std::optional<KStream> Join(const KStream& s, const StepSpec& step, ErrorHandling h) {
    const JoinText& j = step.join;
    if (const GlobalTableSpec* g = spec_.FindGlobalTable(j.with.value)) return GlobalJoin(s, step, *g);
    // Bad references are reported by ResolveSpec; pipelines outside the
    // build order have nothing to join with on the scratch graph.
    if (checking_only_ || j.with.value.empty() || pipeline_ == nullptr) return s;
    std::optional<KStream> other = Input(j.with.value);
    if (!other) return s;
    const KStream with = other->OnError(h);
    ValueJoiner joiner = Joiner(j);
    const std::string& name = step.node_name;
    const bool table = spec_.FindTable(j.with.value) != nullptr;
    auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; };
    std::string detail = std::string(JoinTypeText(j.type)) + " join with " + j.with.value;
    if (j.window) {
      detail +=
          ", window before " + ms(j.window->before) + " after " + ms(j.window->after) + " grace " + ms(j.window->grace);
    }
    detail += ", as {" + j.left_name.value + ", " + j.RightName() + "}";
    if (table && spec_.JoinsTables(*pipeline_, step)) {
      node_pos_[name + "-left"] = step.pos;
      node_pos_[name + "-right"] = step.pos;
      return s.JoinTables(name, with, j.type, std::move(joiner)).WithDetail("table-table " + detail);
    }
    if (table) {
      node_pos_[name + "-repartition-sink"] = step.pos;
      node_pos_[name + "-repartition-source"] = step.pos;
      return s.JoinTable(name, with, j.type, std::move(joiner)).WithDetail("stream-table " + detail);
    }
    if (!j.window) return s;  // missing or invalid: reported
    for (const char* side : {"-this", "-other"}) {
      node_pos_[name + side] = step.pos;
      node_pos_[name + side + "-repartition-sink"] = step.pos;
      node_pos_[name + side + "-repartition-source"] = step.pos;
    }
    return s.JoinStream(name, with, *j.window, j.type, std::move(joiner)).WithDetail("stream-stream " + detail);
  }

  static ValueJoiner Joiner(const JoinText& j) {
    return [left = j.left_name.value, right = j.RightName()](const Record& l, const Value& r) -> Result<Value> {
      return Value(Value::Object{Field{left, l.value}, Field{right, r}});
    };
  }

  // A lookup in a global table by a key computed from the record: no
  // repartitioning, whatever the key of the stream.
  std::optional<KStream> GlobalJoin(const KStream& s, const StepSpec& step, const GlobalTableSpec& g) {
    const JoinText& j = step.join;
    // A missing key, an outer join or a window were reported by ResolveSpec.
    if (!j.key) return s;
    std::optional<Expression> key = Compile(*j.key, "join key");
    if (!key || checking_only_ || g.topic.value.empty()) return s;
    UseGlobalTable(g);
    std::string detail = std::string(JoinTypeText(j.type)) + " join with global table " + g.name.value + ", key " +
                         j.key->text + ", as {" + j.left_name.value + ", " + j.RightName() + "}";
    return s
        .JoinGlobalTable(
            step.node_name, g.name.value, [e = *key](const Record& r) { return e.Evaluate(r); }, j.type, Joiner(j))
        .WithDetail(std::move(detail));
  }

  void Branch(const KStream& s, const StepSpec& step, ErrorHandling h) {
    std::vector<BranchSpec> specs;
    for (const BranchCase& c : step.cases) {
      node_pos_[c.node_name] = c.name.value.empty() ? c.pos : c.name.pos;
      Predicate predicate;
      if (c.when) {
        if (auto compiled = Compile(*c.when, "when", {StaticType::kBool})) {
          predicate = [e = *compiled](const Record& r) { return e.Test(r); };
        }
      }
      specs.push_back({c.node_name, std::move(predicate)});
    }
    std::vector<KStream> outs = s.Branch(step.node_name, std::move(specs));
    for (size_t i = 0; i < outs.size() && i < step.cases.size(); ++i) Steps(outs[i].OnError(h), step.cases[i].steps, h);
  }

  void To(const KStream& s, const StepSpec& step) {
    const SinkSpec& sink = step.sink;
    Produced produced;
    std::string topic;
    if (sink.by_name) {
      const Text& name = *sink.topic;
      const StreamSpec* stream = spec_.FindStream(name.value);
      const TableSpec* table = stream != nullptr ? nullptr : spec_.FindTable(name.value);
      if (stream != nullptr || table != nullptr) {
        const std::vector<Text>& topics = stream != nullptr ? stream->topics : table->topics;
        const char* kind = stream != nullptr ? "stream" : "table";
        if (topics.size() != 1) {
          diags_.Add(name.pos, "to: " + std::string(kind) + " '" + name.value + "' has " +
                                   std::to_string(topics.size()) + " topics; a sink needs a " + kind +
                                   " with exactly one topic");
          return;
        }
        topic = topics.front().value;
        produced = {stream_serdes_[name.value].first, stream_serdes_[name.value].second};
      } else if (!IsValidTopic(name.value)) {
        diags_.Add(name.pos, "to: '" + name.value + "' is neither a stream nor a valid topic name");
        return;
      } else {
        topic = name.value;
        produced = {MakeSerdeAt(sink.key, "to key"), MakeSerdeAt(sink.value, "to value")};
      }
    } else {
      produced = {MakeSerdeAt(sink.key, "to key"), MakeSerdeAt(sink.value, "to value")};
      if (sink.topic) topic = sink.topic->value;
    }
    if (!sink.topic_expr) {
      s.To(step.node_name, topic, std::move(produced));
      return;
    }
    auto compiled = Compile(*sink.topic_expr, "topic_expr", {StaticType::kString});
    if (!compiled) return;
    s.To(
        step.node_name,
        [e = *compiled](const Record& r) -> Result<std::string> {
          Result<Value> v = e.Evaluate(r);
          if (!v.ok()) return v.status();
          if (!v->is_string() || v->as_string().empty()) {
            return Status::DataError("topic_expr '" + e.text() + "' produced " +
                                     (v->is_string() ? std::string("an empty string") : v->ToJson()) +
                                     ", expected a topic name");
          }
          return std::move(v->as_string());
        },
        std::move(produced));
  }

  // `stores:` entries must name stores the steps declare (called once every
  // step was built, so the list is complete).
  void ConfigureStores() {
    const std::vector<std::string> declared = builder_.StoreNames();
    for (const StoreSettingsSpec& store : spec_.stores) {
      const std::string& name = store.name.value;
      if (std::find(declared.begin(), declared.end(), name) != declared.end()) {
        builder_.ConfigureStore(name, store.options);
        continue;
      }
      auto global = std::find_if(spec_.global_tables.begin(), spec_.global_tables.end(),
                                 [&](const GlobalTableSpec& g) { return g.StoreName() == name; });
      if (global != spec_.global_tables.end()) {
        diags_.Add(store.name.pos, "store '" + name + "' belongs to global table '" + global->name.value +
                                       "'; global table stores take no settings (they are loaded from its topic)");
      } else {
        diags_.Add(store.name.pos, "stores: no step declares a store named '" + name + "'" +
                                       DidYouMean(name, declared) +
                                       " (stores are named by a step's `store:`, or as `stream-app describe` shows)");
      }
    }
  }

  // Build() reports one problem per line; put each at the node it names.
  void ReportBuildErrors(const std::string& message) {
    size_t start = 0;
    while (start <= message.size()) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      const std::string line = message.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      // The node named last: in "read by both 'a' and 'b'" the second one
      // is the newcomer.
      Pos pos = spec_.pipelines_pos;
      size_t best = 0;
      for (const auto& [node, at] : node_pos_) {
        const size_t found = line.rfind("'" + node + "'");
        if (found != std::string::npos && found + 1 > best) {
          best = found + 1;
          pos = at;
        }
      }
      // Co-partitioning problems name topics; the later one is the newcomer.
      for (const auto& [topic, at] : topic_pos_) {
        const size_t found =
            line.rfind("topics '") == std::string::npos ? std::string::npos : line.rfind("'" + topic + "'");
        if (found != std::string::npos && found + 1 > best) {
          best = found + 1;
          pos = at;
        }
      }
      // No node named: a global table may be ("global table 'g'").
      for (const auto& [global, at] : global_pos_) {
        if (best == 0 && line.find("global table '" + global + "'") != std::string::npos) pos = at;
      }
      diags_.Add(pos, line);
    }
  }

  const FileSpec& spec_;
  const SerdeOptions& options_;
  Diagnostics& diags_;
  StreamsBuilder builder_;
  StreamsBuilder scratch_;
  std::map<std::string, Result<SerdePtr>> serdes_;
  std::map<std::string, std::pair<SerdePtr, SerdePtr>> stream_serdes_;
  std::map<std::string, KStream> sources_;
  std::map<std::string, KStream> outputs_;
  std::map<std::string, Pos> node_pos_;
  // Source topics: where their stream's `partitions:` (else the topic) is.
  std::map<std::string, Pos> topic_pos_;
  // Global tables by name, for Build errors that name one but no node.
  std::map<std::string, Pos> global_pos_;
  std::set<std::string> globals_used_;
  const PipelineSpec* pipeline_ = nullptr;  // the pipeline being built
  bool checking_only_ = false;              // building on the scratch graph
};

}  // namespace

std::optional<Topology> BuildSpec(const FileSpec& spec, const SerdeOptions& serde_options, Diagnostics& diags) {
  return Builder(spec, serde_options, diags).Run();
}

}  // namespace streamapp::yaml
