// validate: checks each record against named rules; the first rule that
// does not hold makes the record a data error carrying the rule's reason, so
// the pipeline's error handler (the dead-letter topic by default) gets it
// with that reason instead of it being dropped silently as a filter would.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>
#include <utility>

#include "streamapp/operators/builtin.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

using expr::Expression;
using expr::StaticType;

struct Rule {
  Expression check;
  std::string reason;
};

class ValidateDef final : public OperatorDef {
 public:
  explicit ValidateDef(std::vector<Rule> rules) : rules_(std::move(rules)) {}

  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<Instance>(rules_); }
  std::string_view kind() const override { return "validate"; }
  std::string detail() const override {
    std::string out;
    for (const Rule& r : rules_) out += (out.empty() ? "" : "; ") + r.check.text();
    return out;
  }

 private:
  class Instance final : public Processor {
   public:
    explicit Instance(const std::vector<Rule>& rules) : rules_(rules) {}
    Status Process(Record record) override {
      for (const Rule& rule : rules_) {
        Result<Value> holds = rule.check.Evaluate(record);
        // A rule that cannot be evaluated (a field of the wrong type) fails
        // the same way: the record is what is wrong, not the topology.
        if (!holds.ok()) {
          return Status::DataError("validate: " + rule.reason + " (" + rule.check.text() + ": " +
                                   holds.status().message() + ")");
        }
        if (!holds->is_bool() || !holds->as_bool()) {
          return Status::DataError("validate: " + rule.reason + " (" + rule.check.text() + ")");
        }
      }
      return context().Forward(std::move(record));
    }

   private:
    const std::vector<Rule>& rules_;  // the definition outlives its processors
  };

  std::vector<Rule> rules_;
};

std::shared_ptr<const OperatorDef> BuildValidate(OperatorBuildContext& ctx) {
  const ParamValue* rules = ctx.Param("rules");
  if (rules == nullptr) return nullptr;  // required: reported by validation
  if (rules->items.empty()) {
    ctx.Error(rules->pos, "validate needs at least one rule");
    return nullptr;
  }
  std::vector<Rule> compiled;
  bool ok = true;
  for (const ParamValue& item : rules->items) {
    const ParamValue* check = item.Find("check");
    const ParamValue* reason = item.Find("reason");
    if (check == nullptr || reason == nullptr) {
      ok = false;  // required: reported by validation
      continue;
    }
    std::optional<Expression> e = ctx.CompileExpression(*check, "validate check", {StaticType::kBool});
    if (!e) {
      ok = false;
      continue;
    }
    compiled.push_back({std::move(*e), reason->text});
  }
  if (!ok) return nullptr;
  return std::make_shared<ValidateDef>(std::move(compiled));
}

}  // namespace

Status RegisterValidateOperator(OperatorRegistry& registry) {
  auto rule = std::make_shared<const ParamDecl>(
      ParamDecl{.name = "rule",
                .type = ParamType::kObject,
                .doc = "a condition and the reason given when it does not hold",
                .fields = {{.name = "check",
                            .type = ParamType::kExpression,
                            .required = true,
                            .doc = "must be true; false, null or an evaluation error fails the record"},
                           {.name = "reason",
                            .type = ParamType::kString,
                            .required = true,
                            .doc = "why the record is invalid, carried to the dead-letter topic"}}});
  return registry.Register(
      {.name = "validate",
       .doc = "Checks rules in order; a record failing one goes to the error handler (DLQ) with the rule's reason.",
       .params = {{.name = "rules",
                   .type = ParamType::kList,
                   .required = true,
                   .doc = "the rules, checked in order",
                   .item = rule}},
       .factory = BuildValidate});
}

}  // namespace streamapp::operators
