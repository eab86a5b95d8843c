// customer_features: per key (the customer id), velocity over sliding
// windows, seconds since the previous transaction, an amount z-score against
// the customer's history, first visit of a merchant, a foreign country and
// the amount against the customer's table average, added to each record as
// one object. The state of each customer is one store entry (docs/fraud.md).
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>
#include <utility>

#include "fraud/customer_state.h"
#include "fraud/fraud_operators.h"
#include "market/operator_support.h"
#include "streamapp/serde.h"

namespace streamapp::operators {
namespace {

using fraud::CustomerState;
using fraud::FeatureConfig;

struct FeaturesConfig {
  expr::Expression amount, merchant, country, home_country, reference_amount;
  FeatureConfig features;
  FieldPath output;
  std::string store;
};

constexpr std::string_view kOp = "customer_features";

// A string or null; anything else is a record error.
Result<std::optional<std::string>> OptionalString(const expr::Expression& e, const Record& r) {
  ASSIGN_OR_RETURN(Value v, e.Evaluate(r));
  if (v.is_null()) return std::optional<std::string>();
  if (!v.is_string()) return Status::DataError("customer_features: " + e.text() + " is not a string: " + v.ToJson());
  return std::optional<std::string>(v.as_string());
}

class FeaturesProcessor final : public Processor {
 public:
  explicit FeaturesProcessor(const FeaturesConfig& config) : config_(config), json_(*MakeSerde("json", {})) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    ASSIGN_OR_RETURN(store_, market_support::KeyValueStoreOf(kOp, context, config_.store));
    return Status::Ok();
  }

  Status Process(Record record) override {
    fraud::Transaction tx;
    tx.timestamp = record.timestamp.value();
    ASSIGN_OR_RETURN(tx.amount, market_support::NumberOf(kOp, config_.amount, record));
    ASSIGN_OR_RETURN(std::optional<std::string> merchant, OptionalString(config_.merchant, record));
    if (!merchant) return Status::DataError("customer_features: " + config_.merchant.text() + " is missing");
    tx.merchant = std::move(*merchant);
    ASSIGN_OR_RETURN(tx.country, OptionalString(config_.country, record));
    ASSIGN_OR_RETURN(tx.home_country, OptionalString(config_.home_country, record));
    ASSIGN_OR_RETURN(Value reference, config_.reference_amount.Evaluate(record));
    if (reference.is_number()) tx.reference_amount = reference.as_number();

    const std::string key = record.key.ToJson();
    CustomerState state;
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->Get(key));
    if (stored) {
      Value v;
      RETURN_IF_ERROR(json_->Deserialize(*stored, &v));
      Result<CustomerState> decoded = CustomerState::FromValue(v);
      if (!decoded.ok()) return market_support::UnusableState(kOp, key, config_.store, decoded.status());
      state = std::move(decoded).value();
    }
    Value features = fraud::UpdateFeatures(config_.features, tx, state);
    std::string bytes;
    RETURN_IF_ERROR(json_->Serialize(state.ToValue(), &bytes));
    RETURN_IF_ERROR(store_->Put(key, bytes));
    RETURN_IF_ERROR(config_.output.Assign(record.value, std::move(features)));
    return context().Forward(std::move(record));
  }

 private:
  const FeaturesConfig& config_;
  std::shared_ptr<const Serde> json_;
  KeyValueStore* store_ = nullptr;
};

class FeaturesDef final : public OperatorDef {
 public:
  explicit FeaturesDef(FeaturesConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<FeaturesProcessor>(config_); }
  std::string_view kind() const override { return kOp; }
  std::string detail() const override {
    std::string windows;
    for (const auto& w : config_.features.windows) windows += (windows.empty() ? "" : ", ") + w.first;
    return "windows [" + windows + "] of " + config_.amount.text() + ", store " + config_.store;
  }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  FeaturesConfig config_;
};

std::shared_ptr<const OperatorDef> BuildFeatures(OperatorBuildContext& ctx) {
  FeaturesConfig c;
  bool ok = true;
  auto compile = [&](std::string_view name, expr::Expression* out) {
    auto e = ctx.CompileExpression(*ctx.Param(name), "customer_features " + std::string(name));
    if (e) {
      *out = std::move(*e);
    } else {
      ok = false;
    }
  };
  compile("amount", &c.amount);
  compile("merchant", &c.merchant);
  compile("country", &c.country);
  compile("home_country", &c.home_country);
  compile("reference_amount", &c.reference_amount);
  const ParamValue* windows = ctx.Param("windows");
  for (const ParamValue& w : windows->items) {
    if (w.int_value <= 0) {
      ctx.Error(w.pos, "customer_features windows must be positive durations");
      ok = false;
    }
    c.features.windows.emplace_back(w.text, w.int_value);
  }
  if (c.features.windows.empty()) {
    ctx.Error(windows->pos, "customer_features needs at least one window");
    ok = false;
  }
  for (const char* name : {"max_history", "max_merchants", "min_history"}) {
    const ParamValue* p = ctx.Param(name);
    if (p->int_value < 1) {
      ctx.Error(p->pos, std::string("customer_features ") + name + " must be at least 1");
      ok = false;
    }
  }
  c.features.max_history = ctx.Param("max_history")->int_value;
  c.features.max_merchants = ctx.Param("max_merchants")->int_value;
  c.features.min_history = ctx.Param("min_history")->int_value;
  const ParamValue* output = ctx.Param("output");
  Result<FieldPath> path = FieldPath::Parse(output->text);
  if (!path.ok()) {
    ctx.Error(output->pos, "customer_features output: " + path.status().message());
    return nullptr;
  }
  if (!ok) return nullptr;
  c.output = std::move(path).value();
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<FeaturesDef>(std::move(c));
}

ParamDecl Expr(std::string name, std::string default_value, std::string doc) {
  return {.name = std::move(name),
          .type = ParamType::kExpression,
          .default_value = std::move(default_value),
          .doc = std::move(doc)};
}

ParamDecl Int(std::string name, std::string default_value, std::string doc) {
  return {.name = std::move(name),
          .type = ParamType::kInt,
          .default_value = std::move(default_value),
          .doc = std::move(doc)};
}

}  // namespace

Status RegisterCustomerFeaturesOperator(OperatorRegistry& registry) {
  auto window = std::make_shared<const ParamDecl>(
      ParamDecl{.name = "window", .type = ParamType::kDuration, .doc = "a sliding window length"});
  return registry.Register(
      {.name = "customer_features",
       .doc = "Per key (customer): sliding-window velocity, amount z-score, time since previous, new merchant, "
              "foreign country.",
       .params = {Expr("amount", "amount", "the transaction amount (a number)"),
                  Expr("merchant", "merchant_id", "the merchant id (a string)"),
                  Expr("country", "country", "the transaction's country (string or null)"),
                  Expr("home_country", "customer.home_country", "the customer's home country (string or null)"),
                  Expr("reference_amount", "customer.avg_amount", "the customer's usual amount (number or null)"),
                  {.name = "windows",
                   .type = ParamType::kList,
                   .default_value = "[1h, 24h]",
                   .doc = "sliding windows (t - W, t]: count_<W> and sum_<W> include the current transaction",
                   .item = window},
                  Int("max_history", "1000", "recent transactions kept per customer for the windows"),
                  Int("max_merchants", "100", "distinct merchants remembered per customer (least recent dropped)"),
                  Int("min_history", "5", "previous transactions needed before amount_zscore is computed"),
                  {.name = "output",
                   .type = ParamType::kField,
                   .default_value = "features",
                   .doc = "the field that receives the features object"},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .stores = {{.name_suffix = "-store", .kind = StoreKind::kKeyValue, .doc = "each customer's history"}},
       .factory = BuildFeatures});
}

}  // namespace streamapp::operators
