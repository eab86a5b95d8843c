// fraud_score: a model score from the model file (loaded once when the
// topology is built, so a missing or malformed file fails `validate` and
// `run` at start) combined with named rules: the score is the larger of the
// model's probability and the score of each rule that fires; a score at or
// above the threshold is the decision "alert", else "pass". docs/fraud.md.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <algorithm>
#include <memory>
#include <utility>

#include "fraud/fraud_model.h"
#include "fraud/fraud_operators.h"

namespace streamapp::operators {
namespace {

using fraud::FraudModel;

struct ScoreRule {
  std::string name;
  expr::Expression when;
  double score = 1;
};

struct ScoreConfig {
  std::string model_path;
  std::shared_ptr<const FraudModel> model;
  FieldPath features;
  std::vector<ScoreRule> rules;
  double threshold = 0.5;
  FieldPath output;
};

class ScoreProcessor final : public Processor {
 public:
  explicit ScoreProcessor(const ScoreConfig& config) : config_(config) {}

  Status Process(Record record) override {
    const Value* features = config_.features.Lookup(record.value);
    if (features == nullptr) {
      return Status::InvalidArgument("fraud_score: the record has no features object at '" + config_.features.text() +
                                     "'");
    }
    ASSIGN_OR_RETURN(double model_score, config_.model->Score(*features));
    double score = model_score;
    Value reasons = Value::MakeArray();
    for (const ScoreRule& rule : config_.rules) {
      ASSIGN_OR_RETURN(Value fired, rule.when.Evaluate(record));
      if (fired.is_bool() && fired.as_bool()) {  // null (a missing input) does not fire
        score = std::max(score, rule.score);
        reasons.as_array().push_back(Value(rule.name));
      }
    }
    if (model_score >= config_.threshold) reasons.as_array().push_back(Value("model"));
    Value out = Value::MakeObject();
    out.Set("score", score);
    out.Set("model_score", model_score);
    out.Set("decision", score >= config_.threshold ? "alert" : "pass");
    out.Set("reasons", std::move(reasons));
    out.Set("model_version", config_.model->version);
    RETURN_IF_ERROR(config_.output.Assign(record.value, std::move(out)));
    return context().Forward(std::move(record));
  }

 private:
  const ScoreConfig& config_;
};

class ScoreDef final : public OperatorDef {
 public:
  explicit ScoreDef(ScoreConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<ScoreProcessor>(config_); }
  std::string_view kind() const override { return "fraud_score"; }
  std::string detail() const override {
    std::string rules;
    for (const ScoreRule& r : config_.rules) rules += (rules.empty() ? "" : ", ") + r.name;
    return "model " + config_.model_path + " (" + config_.model->version + "), rules [" + rules + "], threshold " +
           std::to_string(config_.threshold);
  }

 private:
  ScoreConfig config_;
};

std::shared_ptr<const OperatorDef> BuildScore(OperatorBuildContext& ctx) {
  ScoreConfig c;
  bool ok = true;
  const ParamValue* model = ctx.Param("model");
  c.model_path = ctx.ResolvePath(model->text);
  Result<FraudModel> loaded = fraud::LoadModel(c.model_path);
  if (!loaded.ok()) {
    ctx.Error(model->pos, "fraud_score model: " + loaded.status().message());
    ok = false;
  } else {
    c.model = std::make_shared<const FraudModel>(std::move(loaded).value());
    c.threshold = c.model->threshold;
  }
  if (const ParamValue* threshold = ctx.Param("threshold")) {
    if (threshold->double_value <= 0 || threshold->double_value >= 1) {
      ctx.Error(threshold->pos, "fraud_score threshold must be between 0 and 1 (exclusive)");
      ok = false;
    }
    c.threshold = threshold->double_value;
  }
  for (const char* name : {"features", "output"}) {
    const ParamValue* p = ctx.Param(name);
    Result<FieldPath> path = FieldPath::Parse(p->text);
    if (!path.ok()) {
      ctx.Error(p->pos, std::string("fraud_score ") + name + ": " + path.status().message());
      ok = false;
    } else {
      (std::string_view(name) == "features" ? c.features : c.output) = std::move(path).value();
    }
  }
  if (const ParamValue* rules = ctx.Param("rules")) {
    for (const ParamValue& item : rules->items) {
      const ParamValue* name = item.Find("name");
      const ParamValue* when = item.Find("when");
      const ParamValue* score = item.Find("score");
      if (name == nullptr || when == nullptr) {
        ok = false;  // required: reported by validation
        continue;
      }
      auto e = ctx.CompileExpression(*when, "fraud_score rule " + name->text, {expr::StaticType::kBool});
      if (!e) {
        ok = false;
        continue;
      }
      const double s = score != nullptr ? score->double_value : 1.0;
      if (s < 0 || s > 1) {
        ctx.Error(score->pos, "fraud_score rule score must be between 0 and 1");
        ok = false;
      }
      c.rules.push_back({name->text, std::move(*e), s});
    }
  }
  if (!ok) return nullptr;
  return std::make_shared<ScoreDef>(std::move(c));
}

}  // namespace

Status RegisterFraudScoreOperator(OperatorRegistry& registry) {
  auto rule = std::make_shared<const ParamDecl>(
      ParamDecl{.name = "rule",
                .type = ParamType::kObject,
                .doc = "a named condition and the score it sets at least",
                .fields = {{.name = "name", .type = ParamType::kString, .required = true, .doc = "the reason given"},
                           {.name = "when",
                            .type = ParamType::kExpression,
                            .required = true,
                            .doc = "fires when true (null does not fire)"},
                           {.name = "score",
                            .type = ParamType::kDouble,
                            .default_value = "1.0",
                            .doc = "the score is at least this when the rule fires (0..1)"}}});
  return registry.Register(
      {.name = "fraud_score",
       .doc = "Scores a record with a logistic-regression model file and rules: score, decision, reasons.",
       .params = {{.name = "model",
                   .type = ParamType::kString,
                   .required = true,
                   .doc = "model file (docs/fraud.md); a relative path is relative to the topology file"},
                  {.name = "features",
                   .type = ParamType::kField,
                   .default_value = "features",
                   .doc = "the object holding the model's features"},
                  {.name = "rules", .type = ParamType::kList, .doc = "rules, in reason order", .item = rule},
                  {.name = "threshold",
                   .type = ParamType::kDouble,
                   .doc = "decision threshold (0..1); default the model file's"},
                  {.name = "output",
                   .type = ParamType::kField,
                   .default_value = "fraud",
                   .doc = "the field receiving {score, model_score, decision, reasons, model_version}"}},
       .factory = BuildScore});
}

}  // namespace streamapp::operators
