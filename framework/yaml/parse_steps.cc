// Steps: a list of single-operator mappings, so that new operators (stateful
// steps, joins, plugins) are new keys and old files keep their meaning.
#include "yaml/parse_steps.h"

#include <algorithm>

#include "streamapp/value.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

const std::vector<std::string> kStepExtraKeys = {"name", "on_error"};

std::string PosText(Pos p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

class StepParser {
 public:
  StepParser(Reader& r) : r_(r) {}

  std::vector<StepSpec> Steps(const YAML::Node& seq, const std::string& scope) {
    std::vector<StepSpec> out;
    size_t index = 0;
    bool reported_after_end = false;
    // A groupBy/groupByKey waiting for its aggregation (the next step).
    std::optional<StepSpec> grouping;
    for (const YAML::Node& item : seq) {
      const Pos pos = Reader::ValuePos(item, Reader::PosOf(seq));
      std::optional<StepSpec> step = Step(item, pos, index, scope);
      // A step that failed to parse is already reported; it may have been
      // meant as the aggregation, so say nothing about the grouping then.
      if (grouping && step && step->kind != StepKind::kAggregate && step->kind != StepKind::kCount &&
          step->kind != StepKind::kReduce) {
        NotAggregated(*grouping);
      }
      grouping.reset();
      if (step && (step->kind == StepKind::kGroupBy || step->kind == StepKind::kGroupByKey)) grouping = *step;
      if (step && !out.empty() && !reported_after_end &&
          (out.back().kind == StepKind::kTo || out.back().kind == StepKind::kBranch)) {
        const std::string_view last = StepKindName(out.back().kind);
        r_.Error(step->pos, "step '" + step->op_name + "' after '" + std::string(last) + "' is never reached: '" +
                                std::string(last) + "' must be the last step");
        reported_after_end = true;
      }
      if (step) out.push_back(std::move(*step));
      ++index;
    }
    if (grouping) NotAggregated(*grouping);
    return out;
  }

 private:
  void NotAggregated(const StepSpec& grouping) {
    r_.Error(grouping.pos,
             std::string(StepKindName(grouping.kind)) +
                 " must be followed by aggregate, count or reduce (the grouping is what they aggregate over)");
  }

  const OperatorDecl* Find(std::string_view key) const { return r_.registry().Find(key); }

  std::optional<StepSpec> Step(const YAML::Node& item, Pos pos, size_t index, const std::string& scope) {
    // Listed by canonical name; suggestions also consider aliases.
    std::vector<std::string> operators;
    for (const auto& decl : r_.registry().operators()) operators.push_back(decl->name);
    const std::vector<std::string> all_names = r_.registry().AllNames();
    if (!item.IsMap()) {
      std::string hint;
      if (item.IsScalar() && Find(item.Scalar())) hint = " (write '" + item.Scalar() + ": <argument>')";
      r_.Error(pos, "step: expected a mapping with one operator key (" + JoinNames(operators) + "), found " +
                        Reader::KindName(item) + hint);
      return std::nullopt;
    }
    std::vector<Reader::Entry> entries = r_.Entries(item, "step");
    const Reader::Entry* op = nullptr;
    for (const Reader::Entry& e : entries) {
      if (!Find(e.key)) continue;
      if (op != nullptr) {
        r_.Error(e.key_pos,
                 "a step has one operator, found '" + op->key + "' and '" + e.key + "'; put each in its own list item");
        continue;
      }
      op = &e;
    }
    std::vector<std::string> allowed = kStepExtraKeys;
    if (op == nullptr) allowed.insert(allowed.begin(), all_names.begin(), all_names.end());
    StepSpec step;
    bool unknown = false;
    for (const Reader::Entry& e : entries) {
      if (Find(e.key)) continue;
      if (e.key == "name") {
        if (auto t = r_.ExpectScalar(e.value, e.value_pos, "step name")) {
          if (!IsValidName(t->value)) {
            r_.Error(e.value_pos, "invalid step name '" + t->value + "': use letters, digits, '_' and '-'");
          } else {
            step.name = *t;
          }
        }
      } else if (e.key == "on_error") {
        step.on_error = r_.OnError(e.value, e.value_pos);
      } else if (op == nullptr) {
        // Without an operator the unknown key is most likely a misspelt one:
        // the suggestion says more than the list of every operator.
        const std::string suggestion = DidYouMean(e.key, allowed);
        r_.Error(e.key_pos, "unknown step '" + e.key + "'" +
                                (suggestion.empty() ? "; expected one of " + JoinNames(operators)
                                                    : suggestion + " (`stream-app operators` lists every step)"));
        unknown = true;
      } else {
        r_.Error(e.key_pos, "unknown key '" + e.key + "' in '" + op->key + "' step; expected one of " +
                                JoinNames(kStepExtraKeys) + DidYouMean(e.key, kStepExtraKeys) +
                                " (parameters go inside the operator: '" + op->key + ": {" + e.key + ": ...}')");
      }
    }
    if (op == nullptr) {
      if (!unknown) r_.Error(pos, "step has no operator; expected one of " + JoinNames(operators));
      return std::nullopt;
    }
    step.decl = Find(op->key);
    step.op_name = step.decl->name;
    step.kind = step.decl->structural ? StepKindOf(step.op_name) : StepKind::kOperator;
    step.pos = op->key_pos;
    // The canonical name, so that writing an alias keeps node and store names.
    step.node_name =
        scope + "." + (step.name.value.empty() ? std::to_string(index) + "-" + step.op_name : step.name.value);
    Operator(step, *op);
    return step;
  }

  void Operator(StepSpec& step, const Reader::Entry& op) {
    switch (step.kind) {
      case StepKind::kOperator: step.params = ParseParams(r_, *step.decl, op); break;
      case StepKind::kGroupBy:
        if (std::optional<ParamValue> p = ParseParams(r_, *step.decl, op)) {
          const ParamValue& e = *p->Find("expr");
          step.expr = ExprText{e.text, ToPos(e.pos), e.columns};
        }
        break;
      case StepKind::kGroupByKey: GroupByKey(op); break;
      case StepKind::kAggregate:
      case StepKind::kCount:
      case StepKind::kReduce: ParseAggregation(r_, step, op); break;
      case StepKind::kJoin: ParseJoin(r_, step, op); break;
      case StepKind::kBranch: Branch(step, op); break;
      case StepKind::kTo:
        if (auto s = Sink(op)) step.sink = std::move(*s);
        break;
    }
  }

  // `groupByKey: true`, `groupByKey: {}` or `groupByKey:`; options (the
  // repartition serdes) belong to the aggregation step.
  void GroupByKey(const Reader::Entry& op) {
    if (op.value.IsNull()) return;
    if (op.value.IsMap()) {
      if (op.value.size() != 0) {
        r_.Error(op.value_pos,
                 "groupByKey takes no options; write 'groupByKey: true' (repartition serdes go on the "
                 "aggregate or count step)");
      }
      return;
    }
    if (!op.value.IsScalar()) {
      r_.Error(op.value_pos, "groupByKey: expected true or {}, found " + Reader::KindName(op.value));
      return;
    }
    std::optional<bool> b = r_.ExpectBool(op.value, op.value_pos, "groupByKey");
    if (b && !*b) r_.Error(op.value_pos, "groupByKey: only 'true' is meaningful; remove the step instead");
  }

  void Branch(StepSpec& step, const Reader::Entry& op) {
    if (!r_.ExpectSeq(op.value, op.value_pos, "branch")) return;
    if (op.value.size() == 0) r_.Error(op.value_pos, "branch: the list of cases is empty");
    const std::string scope = step.node_name.substr(0, step.node_name.rfind('.'));
    std::optional<Pos> otherwise_at;
    size_t index = 0;
    for (const YAML::Node& item : op.value) {
      const Pos pos = Reader::ValuePos(item, op.value_pos);
      const size_t j = index++;
      if (!r_.ExpectMap(item, pos, "branch case")) continue;
      const std::optional<Pos> earlier_otherwise = otherwise_at;
      BranchCase c;
      c.pos = pos;
      bool has_when = false, has_otherwise = false;
      const YAML::Node* steps = nullptr;
      const Reader::Entry* to = nullptr;
      std::vector<Reader::Entry> entries = r_.KnownEntries(item, "branch case", DeclaredKeys("branch"));
      for (const Reader::Entry& e : entries) {
        if (e.key == "when") {
          has_when = true;
          c.when = r_.Expr(e.value, e.value_pos, "when");
        } else if (e.key == "otherwise") {
          has_otherwise = true;
          std::optional<bool> b = r_.ExpectBool(e.value, e.value_pos, "otherwise");
          if (b && !*b) r_.Error(e.value_pos, "otherwise: only 'true' is meaningful; remove the case instead");
          if (otherwise_at) {
            r_.Error(e.key_pos, "only one 'otherwise' case is allowed (first at " + PosText(*otherwise_at) + ")");
          } else {
            otherwise_at = e.key_pos;
          }
        } else if (e.key == "name") {
          if (auto t = r_.ExpectScalar(e.value, e.value_pos, "branch case name")) {
            if (IsValidName(t->value)) {
              c.name = *t;
            } else {
              r_.Error(e.value_pos, "invalid branch case name '" + t->value + "': use letters, digits, '_' and '-'");
            }
          }
        } else if (e.key == "steps") {
          if (!e.value.IsNull() && r_.ExpectSeq(e.value, e.value_pos, "branch case steps")) steps = &e.value;
        } else if (e.key == "to") {
          to = &e;
        }
      }
      // A second `otherwise` gets its own message below, not this one too.
      if (earlier_otherwise && !has_otherwise) {
        r_.Error(pos, "branch case after 'otherwise' (at " + PosText(*earlier_otherwise) +
                          ") is never reached: 'otherwise' must be the last case");
      }
      if (has_when && has_otherwise) {
        r_.Error(pos, "branch case has both 'when' and 'otherwise'; use one");
      } else if (!has_when && !has_otherwise) {
        r_.Error(pos, "branch case needs 'when: <expression>' or 'otherwise: true'");
      }
      c.node_name = scope + "." + (c.name.value.empty() ? std::to_string(j) : c.name.value);
      if (steps != nullptr) c.steps = Steps(*steps, c.node_name);
      if (to != nullptr) AddCaseSink(c, *to);
      step.cases.push_back(std::move(c));
    }
  }

  // A case's `to:` is shorthand for a final `to` step.
  void AddCaseSink(BranchCase& c, const Reader::Entry& to) {
    if (!c.steps.empty() && (c.steps.back().kind == StepKind::kTo || c.steps.back().kind == StepKind::kBranch)) {
      r_.Error(to.key_pos, "branch case ends with a '" + std::string(StepKindName(c.steps.back().kind)) +
                               "' step and also has 'to'; use one");
      return;
    }
    std::optional<SinkSpec> sink = Sink(to);
    if (!sink) return;
    StepSpec s;
    s.kind = StepKind::kTo;
    s.op_name = "to";
    s.decl = r_.registry().Find("to");
    s.pos = to.key_pos;
    s.node_name = c.node_name + "." + std::to_string(c.steps.size()) + "-to";
    s.sink = std::move(*sink);
    c.steps.push_back(std::move(s));
  }

  std::optional<SinkSpec> Sink(const Reader::Entry& op) {
    SinkSpec s;
    s.pos = op.value_pos;
    if (op.value.IsScalar()) {
      s.by_name = true;
      s.topic = Text{op.value.Scalar(), op.value_pos};
      return s;
    }
    if (!op.value.IsMap()) {
      r_.Error(op.value_pos, "to: expected a stream or topic name, or a mapping with topic or topic_expr, found " +
                                 Reader::KindName(op.value));
      return std::nullopt;
    }
    bool ok = true;
    for (const Reader::Entry& e : r_.KnownEntries(op.value, "to", DeclaredKeys("to"))) {
      if (e.key == "topic") {
        std::optional<Text> t = r_.ExpectScalar(e.value, e.value_pos, "to.topic");
        if (t && !IsValidTopic(t->value)) {
          r_.Error(t->pos, "invalid topic name '" + t->value + "': use letters, digits, '.', '_' and '-'");
          ok = false;
        }
        if (t) s.topic = *t;
      } else if (e.key == "topic_expr") {
        s.topic_expr = r_.Expr(e.value, e.value_pos, "topic_expr");
        ok = ok && s.topic_expr.has_value();
      } else if (auto t = r_.ExpectScalar(e.value, e.value_pos, "to." + e.key)) {
        (e.key == "key" ? s.key : s.value) = *t;
      }
    }
    if (s.topic && s.topic_expr) {
      r_.Error(op.key_pos, "to has both 'topic' and 'topic_expr'; use one");
      return std::nullopt;
    }
    if (!s.topic && !s.topic_expr) {
      if (ok) r_.Error(op.key_pos, "to needs 'topic' or 'topic_expr'");
      return std::nullopt;
    }
    return ok ? std::optional<SinkSpec>(std::move(s)) : std::nullopt;
  }

  Reader& r_;
};

}  // namespace

std::vector<StepSpec> ParseSteps(Reader& r, const YAML::Node& steps, const std::string& scope) {
  return StepParser(r).Steps(steps, scope);
}

std::string_view StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kOperator: return "operator";
    case StepKind::kGroupBy: return "groupBy";
    case StepKind::kGroupByKey: return "groupByKey";
    case StepKind::kAggregate: return "aggregate";
    case StepKind::kCount: return "count";
    case StepKind::kReduce: return "reduce";
    case StepKind::kJoin: return "join";
    case StepKind::kBranch: return "branch";
    case StepKind::kTo: return "to";
  }
  return "?";
}

StepKind StepKindOf(std::string_view operator_name) {
  for (StepKind k : {StepKind::kGroupBy, StepKind::kGroupByKey, StepKind::kAggregate, StepKind::kCount,
                     StepKind::kReduce, StepKind::kJoin, StepKind::kBranch, StepKind::kTo}) {
    if (StepKindName(k) == operator_name) return k;
  }
  return StepKind::kOperator;
}

}  // namespace streamapp::yaml
