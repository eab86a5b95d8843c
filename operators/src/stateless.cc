// filter, map, mapValues, flatMap, selectKey, peek: per-record operators
// configured with expressions, built through the generic registry path
// (declaration -> validated parameters -> factory -> OperatorDef), exactly
// as a plugin operator is.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

#include "streamapp/operators/builtin.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

using expr::Expression;
using expr::StaticType;

// One definition type per operator body: the body is a plain function of
// the immutable configuration, the context and the record.
template <typename Config>
class RecordOperator final : public OperatorDef {
 public:
  using Body = Status (*)(const Config& config, ProcessorContext& context, Record record);
  RecordOperator(std::string_view kind, bool changes_key, std::string detail, Config config, Body body)
      : kind_(kind), changes_key_(changes_key), detail_(std::move(detail)), config_(std::move(config)), body_(body) {}

  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<Instance>(*this); }
  std::string_view kind() const override { return kind_; }
  std::string detail() const override { return detail_; }
  bool changes_key() const override { return changes_key_; }

 private:
  class Instance final : public Processor {
   public:
    explicit Instance(const RecordOperator& def) : def_(def) {}
    Status Process(Record record) override { return def_.body_(def_.config_, context(), std::move(record)); }

   private:
    const RecordOperator& def_;  // the definition outlives its processors
  };

  std::string_view kind_;
  bool changes_key_;
  std::string detail_;
  Config config_;
  Body body_;
};

template <typename Config>
std::shared_ptr<const OperatorDef> Make(std::string_view kind, bool changes_key, std::string detail, Config config,
                                        typename RecordOperator<Config>::Body body) {
  return std::make_shared<RecordOperator<Config>>(kind, changes_key, std::move(detail), std::move(config), body);
}

ParamDecl ExprParam(std::string doc) {
  return {.name = "expr", .type = ParamType::kExpression, .required = true, .doc = std::move(doc)};
}

std::optional<Expression> CompileExpr(OperatorBuildContext& ctx, std::string_view what,
                                      const std::vector<StaticType>& allowed = {}) {
  const ParamValue* p = ctx.Param("expr");
  if (p == nullptr) return std::nullopt;  // required: reported by validation
  return ctx.CompileExpression(*p, what, allowed);
}

OperatorDecl Filter() {
  return {.name = "filter",
          .doc = "Keeps the records for which a boolean expression holds (null counts as false).",
          .params = {ExprParam("the condition, e.g. amount > 0")},
          .shorthand = "expr",
          .factory = [](OperatorBuildContext& ctx) -> std::shared_ptr<const OperatorDef> {
            std::optional<Expression> e = CompileExpr(ctx, "filter", {StaticType::kBool});
            if (!e) return nullptr;
            const std::string text = e->text();
            return Make("filter", false, text, std::move(*e), [](const Expression& x, ProcessorContext& c, Record r) {
              ASSIGN_OR_RETURN(bool keep, x.Test(r));
              return keep ? c.Forward(std::move(r)) : Status::Ok();
            });
          }};
}

OperatorDecl MapValues() {
  return {.name = "mapValues",
          .aliases = {"map_values"},
          .doc = "Replaces each record's value by an expression of the record; the key stays.",
          .params = {ExprParam("the new value")},
          .shorthand = "expr",
          .factory = [](OperatorBuildContext& ctx) -> std::shared_ptr<const OperatorDef> {
            std::optional<Expression> e = CompileExpr(ctx, "mapValues");
            if (!e) return nullptr;
            const std::string text = e->text();
            return Make("mapValues", false, text, std::move(*e),
                        [](const Expression& x, ProcessorContext& c, Record r) {
                          ASSIGN_OR_RETURN(Value v, x.Evaluate(r));
                          r.value = std::move(v);
                          return c.Forward(std::move(r));
                        });
          }};
}

OperatorDecl FlatMap() {
  return {.name = "flatMap",
          .aliases = {"flat_map"},
          .doc = "Emits one record per element of an array expression (null: none), each with the record's key.",
          .params = {ExprParam("an array; each element becomes a record's value")},
          .shorthand = "expr",
          // The DSL's flatMap may change keys, so a later aggregation
          // repartitions; kept so for the YAML step too.
          .changes_key = true,
          .factory = [](OperatorBuildContext& ctx) -> std::shared_ptr<const OperatorDef> {
            std::optional<Expression> e = CompileExpr(ctx, "flatMap", {StaticType::kArray});
            if (!e) return nullptr;
            const std::string text = e->text();
            return Make("flatMap", true, text, std::move(*e), [](const Expression& x, ProcessorContext& c, Record r) {
              ASSIGN_OR_RETURN(Value v, x.Evaluate(r));
              if (v.is_null()) return Status::Ok();
              if (!v.is_array()) {
                return Status::DataError("flatMap '" + x.text() + "' produced " + std::string(TypeName(v.type())) +
                                         ", expected an array");
              }
              for (Value& element : v.as_array()) {
                RETURN_IF_ERROR(c.Forward(Record{r.key, std::move(element), r.timestamp, r.headers, r.source}));
              }
              return Status::Ok();
            });
          }};
}

OperatorDecl SelectKey() {
  return {.name = "selectKey",
          .aliases = {"select_key"},
          .doc = "Sets each record's key to an expression of the record (a later aggregation or join repartitions).",
          .params = {ExprParam("the new key")},
          .shorthand = "expr",
          .changes_key = true,
          .factory = [](OperatorBuildContext& ctx) -> std::shared_ptr<const OperatorDef> {
            std::optional<Expression> e = CompileExpr(ctx, "selectKey");
            if (!e) return nullptr;
            const std::string text = e->text();
            return Make("selectKey", true, text, std::move(*e), [](const Expression& x, ProcessorContext& c, Record r) {
              ASSIGN_OR_RETURN(Value key, x.Evaluate(r));
              r.key = std::move(key);
              return c.Forward(std::move(r));
            });
          }};
}

OperatorDecl Peek() {
  return {.name = "peek",
          .doc = "Logs each record (key and value) at info level and passes it on unchanged.",
          .params = {{.name = "label", .type = ParamType::kString, .doc = "a free label for the log line"}},
          .shorthand = "label",
          .flag_form = true,
          .factory = [](OperatorBuildContext& ctx) -> std::shared_ptr<const OperatorDef> {
            const ParamValue* label = ctx.Param("label");
            struct Config {
              std::string node;
              std::string label;
            };
            Config config{ctx.node_name(), label != nullptr ? label->text : ""};
            const std::string detail = config.label;
            return Make("peek", false, detail, std::move(config), [](const Config& k, ProcessorContext& c, Record r) {
              spdlog::info("{}{}{}: key={} value={}", k.node, k.label.empty() ? "" : " ", k.label, r.key.ToJson(),
                           r.value.ToJson());
              return c.Forward(std::move(r));
            });
          }};
}

// `map:` compiled once, shared by every processor.
struct CompiledMap {
  std::vector<std::pair<FieldPath, Expression>> set;
  std::vector<std::pair<FieldPath, FieldPath>> rename;
  std::vector<FieldPath> drop;
};

Result<Value> ApplyMap(const CompiledMap& ops, const Record& record) {
  Value v = record.value;
  // Expressions see the original record, so the order of `set` entries does
  // not change their results.
  for (const auto& [path, e] : ops.set) {
    Result<Value> x = e.Evaluate(record);
    if (!x.ok()) return x.status();
    Status st = path.Assign(v, std::move(x).value());
    if (!st.ok()) return Status::DataError(st.message());
  }
  for (const auto& [from, to] : ops.rename) {
    if (from.Lookup(v) == nullptr) continue;  // absent: nothing to rename
    Status st = to.Assign(v, from.Remove(v));
    if (!st.ok()) return Status::DataError(st.message());
  }
  for (const FieldPath& path : ops.drop) path.Remove(v);
  return v;
}

std::shared_ptr<const OperatorDef> BuildMap(OperatorBuildContext& ctx) {
  CompiledMap ops;
  std::string set_detail, rename_detail, drop_detail;
  bool ok = true;
  // Paths as values were checked by validation (type field); map keys are
  // free text to it, so they are checked here.
  for (const char* section : {"set", "rename"}) {
    const ParamValue* p = ctx.Param(section);
    for (size_t i = 0; p != nullptr && i < p->entries.size(); ++i) {
      Result<FieldPath> path = FieldPath::Parse(p->entries[i].first);
      if (!path.ok()) {
        ctx.Error(p->entry_key_pos[i], std::string("map.") + section + ": " + path.status().message());
        ok = false;
      }
    }
  }
  if (!ok) return nullptr;
  if (const ParamValue* set = ctx.Param("set")) {
    for (const auto& [path, e] : set->entries) {
      std::optional<Expression> x = ctx.CompileExpression(e, "map.set '" + path + "'");
      ok = ok && x.has_value();
      if (x) ops.set.emplace_back(*FieldPath::Parse(path), std::move(*x));
      set_detail += (set_detail.empty() ? "set " : ", ") + path;
    }
  }
  if (const ParamValue* rename = ctx.Param("rename")) {
    for (const auto& [from, to] : rename->entries) {
      ops.rename.emplace_back(*FieldPath::Parse(from), *FieldPath::Parse(to.text));
      rename_detail += (rename_detail.empty() ? "rename " : ", ") + from + "->" + to.text;
    }
  }
  if (const ParamValue* drop = ctx.Param("drop")) {
    for (const ParamValue& d : drop->items) {
      ops.drop.push_back(*FieldPath::Parse(d.text));
      drop_detail += (drop_detail.empty() ? "drop " : ", ") + d.text;
    }
  }
  if (!ok) return nullptr;
  std::string detail;
  for (const std::string* part : {&set_detail, &rename_detail, &drop_detail}) {
    if (!part->empty()) detail += (detail.empty() ? "" : "; ") + *part;
  }
  return Make("map", false, detail, std::move(ops), [](const CompiledMap& m, ProcessorContext& c, Record r) {
    ASSIGN_OR_RETURN(Value v, ApplyMap(m, r));
    r.value = std::move(v);
    return c.Forward(std::move(r));
  });
}

OperatorDecl Map() {
  auto field = [](std::string doc) {
    return std::make_shared<const ParamDecl>(
        ParamDecl{.name = "field", .type = ParamType::kField, .doc = std::move(doc)});
  };
  return {
      .name = "map",
      .doc = "Edits the value's fields: set (expressions), then rename, then drop; the key stays.",
      .params = {{.name = "set",
                  .type = ParamType::kMap,
                  .doc = "field path -> expression of the original record",
                  .item = std::make_shared<const ParamDecl>(
                      ParamDecl{.name = "expr", .type = ParamType::kExpression, .doc = "the field's new value"})},
                 {.name = "rename",
                  .type = ParamType::kMap,
                  .doc = "field path -> new field path",
                  .item = field("the new path")},
                 {.name = "drop", .type = ParamType::kList, .doc = "field paths to remove", .item = field("a path")}},
      .factory = [](OperatorBuildContext& ctx) -> std::shared_ptr<const OperatorDef> {
        if (ctx.Param("set") == nullptr && ctx.Param("rename") == nullptr && ctx.Param("drop") == nullptr) {
          ctx.Error(ctx.step_pos(), "map needs at least one of set, rename, drop");
          return nullptr;
        }
        return BuildMap(ctx);
      }};
}

}  // namespace

Status RegisterStatelessOperators(OperatorRegistry& registry) {
  for (OperatorDecl decl : {Filter(), Map(), MapValues(), FlatMap(), SelectKey(), Peek()}) {
    RETURN_IF_ERROR(registry.Register(std::move(decl)));
  }
  return Status::Ok();
}

}  // namespace streamapp::operators
