// anomalies: per key, a rolling z-score of one number (|z| > threshold) and
// a spike of another (value > k x the mean of the previous N). Emits one
// alert record per anomaly found and nothing else, so its output is the
// alert stream; the state of every key lives in one store entry.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

#include "market/indicators.h"
#include "market/market_operators.h"
#include "market/operator_support.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

using market::RollingZScore;
using market::Sma;
using market_support::AppendPart;
using market_support::NextPart;

struct ZScoreRule {
  expr::Expression field;
  int window = 0;
  double threshold = 0;
};

struct SpikeRule {
  expr::Expression field;
  int window = 0;
  double k = 0;
};

struct AnomaliesConfig {
  std::optional<ZScoreRule> zscore;
  std::optional<SpikeRule> spike;
  std::string store;
};

// One key's state. The spike compares with the mean of the PREVIOUS
// `window` values, so the mean after each update is kept for the next one.
struct KeyState {
  std::optional<RollingZScore> zscore;
  std::optional<Sma> volumes;
  std::optional<double> previous_mean;
};

std::string Encode(const KeyState& s) {
  std::string out;
  if (s.zscore) AppendPart(out, s.zscore->Encode());
  if (s.volumes) {
    AppendPart(out, s.volumes->Encode());
    char mean[9] = {};
    mean[0] = s.previous_mean ? 1 : 0;
    const double m = s.previous_mean.value_or(0);
    std::memcpy(mean + 1, &m, 8);
    AppendPart(out, std::string_view(mean, 9));
  }
  return out;
}

Result<KeyState> Fresh(const AnomaliesConfig& c) {
  KeyState s;
  if (c.zscore) {
    ASSIGN_OR_RETURN(s.zscore, RollingZScore::Make(c.zscore->window));
  }
  if (c.spike) {
    ASSIGN_OR_RETURN(s.volumes, Sma::Make(c.spike->window));
  }
  return s;
}

// Refuses state made with other parameters: mixing them gives wrong alerts.
Status Decode(std::string_view bytes, KeyState& s) {
  if (s.zscore) {
    ASSIGN_OR_RETURN(std::string_view part, NextPart(bytes));
    ASSIGN_OR_RETURN(RollingZScore stored, RollingZScore::Decode(part));
    if (!stored.SameParams(*s.zscore)) return Status::InvalidArgument("z-score made with another window");
    s.zscore = std::move(stored);
  }
  if (s.volumes) {
    ASSIGN_OR_RETURN(std::string_view part, NextPart(bytes));
    ASSIGN_OR_RETURN(Sma stored, Sma::Decode(part));
    if (!stored.SameParams(*s.volumes)) return Status::InvalidArgument("spike mean made with another window");
    s.volumes = std::move(stored);
    ASSIGN_OR_RETURN(std::string_view mean, NextPart(bytes));
    if (mean.size() != 9 || mean[0] > 1) return Status::InvalidArgument("bad spike mean");
    double m = 0;
    std::memcpy(&m, mean.data() + 1, 8);
    s.previous_mean = mean[0] == 1 ? std::optional<double>(m) : std::nullopt;
  }
  if (!bytes.empty()) return Status::InvalidArgument("more state stored than configured");
  return Status::Ok();
}

Record Alert(const Record& in, std::string_view type, double value, double threshold, int window) {
  Record out = in;
  Value v = Value::MakeObject();
  v.Set("type", type);
  v.Set("key", in.key);
  v.Set("value", value);
  v.Set("threshold", threshold);
  v.Set("window", window);
  v.Set("time", in.timestamp.value());
  out.value = std::move(v);
  return out;
}

class AnomaliesProcessor final : public Processor {
 public:
  explicit AnomaliesProcessor(const AnomaliesConfig& config) : config_(config) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    ASSIGN_OR_RETURN(store_, market_support::KeyValueStoreOf("anomalies", context, config_.store));
    return Status::Ok();
  }

  Status Process(Record record) override {
    // Both inputs first: a bad record changes no state.
    std::optional<double> observed, volume;
    if (config_.zscore) {
      ASSIGN_OR_RETURN(observed, market_support::NumberOf("anomalies", config_.zscore->field, record));
    }
    if (config_.spike) {
      ASSIGN_OR_RETURN(volume, market_support::NumberOf("anomalies", config_.spike->field, record));
    }
    const std::string key = record.key.ToJson();
    ASSIGN_OR_RETURN(KeyState state, Fresh(config_));
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->Get(key));
    if (stored) {
      if (Status st = Decode(*stored, state); !st.ok()) {
        return market_support::UnusableState("anomalies", key, config_.store, st);
      }
    }
    std::vector<Record> alerts;
    if (state.zscore) {
      std::optional<double> z = state.zscore->Update(*observed);
      if (z && std::abs(*z) > config_.zscore->threshold) {
        alerts.push_back(Alert(record, "zscore", *z, config_.zscore->threshold, config_.zscore->window));
      }
    }
    if (state.volumes) {
      if (state.previous_mean && market::IsVolumeSpike(*volume, *state.previous_mean, config_.spike->k)) {
        alerts.push_back(
            Alert(record, "volume_spike", *volume, config_.spike->k * *state.previous_mean, config_.spike->window));
      }
      std::optional<double> mean = state.volumes->Update(*volume);
      if (mean) state.previous_mean = mean;
    }
    RETURN_IF_ERROR(store_->Put(key, Encode(state)));
    for (Record& alert : alerts) RETURN_IF_ERROR(context().Forward(std::move(alert)));
    return Status::Ok();
  }

 private:
  const AnomaliesConfig& config_;
  KeyValueStore* store_ = nullptr;
};

class AnomaliesDef final : public OperatorDef {
 public:
  explicit AnomaliesDef(AnomaliesConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<AnomaliesProcessor>(config_); }
  std::string_view kind() const override { return "anomalies"; }
  std::string detail() const override {
    std::string out;
    if (config_.zscore) {
      out += "|z(" + config_.zscore->field.text() + ")| > " + std::to_string(config_.zscore->threshold) + " over " +
             std::to_string(config_.zscore->window);
    }
    if (config_.spike) {
      out += std::string(out.empty() ? "" : "; ") + config_.spike->field.text() + " > " +
             std::to_string(config_.spike->k) + " x mean of " + std::to_string(config_.spike->window);
    }
    return out + ", store " + config_.store;
  }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  AnomaliesConfig config_;
};

// The window (at least 2) and the compiled field of a rule; false after
// reporting.
bool Rule(OperatorBuildContext& ctx, const ParamValue& rule, const char* what, expr::Expression& field, int& window) {
  const ParamValue* w = rule.Find("window");
  const int64_t n = w != nullptr ? w->int_value : 20;
  if (n < 2 || n > market::kMaxPeriod) {
    ctx.Error(w != nullptr ? w->pos : rule.pos,
              std::string(what) + " window must be between 2 and " + std::to_string(market::kMaxPeriod));
    return false;
  }
  window = static_cast<int>(n);
  const ParamValue* f = rule.Find("field");
  if (f == nullptr) {
    ctx.Error(rule.pos, std::string(what) + " needs 'field'");
    return false;
  }
  auto compiled = ctx.CompileExpression(*f, std::string(what) + " field");
  if (!compiled) return false;
  field = std::move(*compiled);
  return true;
}

std::shared_ptr<const OperatorDef> BuildAnomalies(OperatorBuildContext& ctx) {
  AnomaliesConfig c;
  bool ok = true;
  if (const ParamValue* z = ctx.Param("zscore")) {
    ZScoreRule rule;
    ok = Rule(ctx, *z, "zscore", rule.field, rule.window) && ok;
    const ParamValue* t = z->Find("threshold");
    rule.threshold = t != nullptr ? t->double_value : 3.0;
    if (!(rule.threshold > 0)) {
      ctx.Error(t->pos, "zscore threshold must be positive");
      ok = false;
    }
    c.zscore = std::move(rule);
  }
  if (const ParamValue* s = ctx.Param("volume_spike")) {
    SpikeRule rule;
    ok = Rule(ctx, *s, "volume_spike", rule.field, rule.window) && ok;
    const ParamValue* k = s->Find("k");
    rule.k = k != nullptr ? k->double_value : 3.0;
    if (!(rule.k > 0)) {
      ctx.Error(k->pos, "volume_spike k must be positive");
      ok = false;
    }
    c.spike = std::move(rule);
  }
  if (ok && !c.zscore && !c.spike) {
    ctx.Error(ctx.step_pos(), "anomalies needs zscore or volume_spike (or both)");
    ok = false;
  }
  if (!ok) return nullptr;
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<AnomaliesDef>(std::move(c));
}

ParamDecl Field(const char* doc) {
  return {.name = "field", .type = ParamType::kExpression, .required = true, .doc = doc};
}
ParamDecl Window() {
  return {.name = "window",
          .type = ParamType::kInt,
          .default_value = "20",
          .doc = "how many previous values (>= 2) the current one is compared with"};
}

}  // namespace

Status RegisterAnomaliesOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "anomalies",
       .doc = "Per key: alerts when |z-score| of a value, or a volume against its rolling mean, passes a threshold.",
       .params = {{.name = "zscore",
                   .type = ParamType::kObject,
                   .doc = "alert when |x - mean| / stddev of the previous N values > threshold",
                   .fields = {Field("the value, e.g. close"),
                              Window(),
                              {.name = "threshold",
                               .type = ParamType::kDouble,
                               .default_value = "3",
                               .doc = "the |z| an alert needs"}}},
                  {.name = "volume_spike",
                   .type = ParamType::kObject,
                   .doc = "alert when the value > k x the mean of the previous N values",
                   .fields = {Field("the value, e.g. volume"),
                              Window(),
                              {.name = "k", .type = ParamType::kDouble, .default_value = "3", .doc = "the factor"}}},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .stores = {{.name_suffix = "-store", .kind = StoreKind::kKeyValue, .doc = "each key's rolling windows"}},
       .factory = BuildAnomalies});
}

}  // namespace streamapp::operators
