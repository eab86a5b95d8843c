// indicators: technical indicators per key over a stream of observations
// (the crypto pipeline feeds each symbol's closed 1m candles). Every
// calculator of a key lives in one key-value store entry, so the state moves
// with its task and is restored from the changelog; the record goes on with
// the indicator values added under `output`.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <utility>

#include "market/indicators.h"
#include "market/market_operators.h"
#include "market/operator_support.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

using market::Bollinger;
using market::Ema;
using market::Macd;
using market::RollingVolatility;
using market::Rsi;
using market::Sma;
using market_support::AppendPart;
using market_support::NextPart;

struct IndicatorsConfig {
  expr::Expression field;
  std::vector<int> sma, ema;
  std::optional<int> rsi, volatility;
  std::optional<std::array<int, 3>> macd;
  std::optional<std::pair<int, double>> bollinger;
  FieldPath output;
  std::string store;
};

// Every calculator of one key, in a fixed order.
struct KeyState {
  std::vector<Sma> sma;
  std::vector<Ema> ema;
  std::optional<Rsi> rsi;
  std::optional<Macd> macd;
  std::optional<Bollinger> bollinger;
  std::optional<RollingVolatility> volatility;
};

Result<KeyState> FreshState(const IndicatorsConfig& c) {
  KeyState s;
  for (int p : c.sma) {
    ASSIGN_OR_RETURN(Sma x, Sma::Make(p));
    s.sma.push_back(std::move(x));
  }
  for (int p : c.ema) {
    ASSIGN_OR_RETURN(Ema x, Ema::Make(p));
    s.ema.push_back(std::move(x));
  }
  // ASSIGN_OR_RETURN is two statements: braces needed.
  if (c.rsi) {
    ASSIGN_OR_RETURN(s.rsi, Rsi::Make(*c.rsi));
  }
  if (c.macd) {
    ASSIGN_OR_RETURN(s.macd, Macd::Make((*c.macd)[0], (*c.macd)[1], (*c.macd)[2]));
  }
  if (c.bollinger) {
    ASSIGN_OR_RETURN(s.bollinger, Bollinger::Make(c.bollinger->first, c.bollinger->second));
  }
  if (c.volatility) {
    ASSIGN_OR_RETURN(s.volatility, RollingVolatility::Make(*c.volatility));
  }
  return s;
}

// Stored form: each calculator's own encoding, length-prefixed, in
// KeyState's order.
std::string Encode(const KeyState& s) {
  std::string out;
  for (const Sma& x : s.sma) AppendPart(out, x.Encode());
  for (const Ema& x : s.ema) AppendPart(out, x.Encode());
  if (s.rsi) AppendPart(out, s.rsi->Encode());
  if (s.macd) AppendPart(out, s.macd->Encode());
  if (s.bollinger) AppendPart(out, s.bollinger->Encode());
  if (s.volatility) AppendPart(out, s.volatility->Encode());
  return out;
}

// Decodes into `fresh` (made from the configuration), refusing state made
// with other parameters: mixing them would silently give wrong values.
template <typename T>
Status DecodeInto(std::string_view& rest, T& fresh) {
  ASSIGN_OR_RETURN(std::string_view part, NextPart(rest));
  ASSIGN_OR_RETURN(T stored, T::Decode(part));
  if (!stored.SameParams(fresh)) return Status::InvalidArgument("made with other parameters");
  fresh = std::move(stored);
  return Status::Ok();
}

Status Decode(std::string_view r, KeyState& s) {
  for (Sma& x : s.sma) RETURN_IF_ERROR(DecodeInto(r, x));
  for (Ema& x : s.ema) RETURN_IF_ERROR(DecodeInto(r, x));
  if (s.rsi) RETURN_IF_ERROR(DecodeInto(r, *s.rsi));
  if (s.macd) RETURN_IF_ERROR(DecodeInto(r, *s.macd));
  if (s.bollinger) RETURN_IF_ERROR(DecodeInto(r, *s.bollinger));
  if (s.volatility) RETURN_IF_ERROR(DecodeInto(r, *s.volatility));
  if (!r.empty()) return Status::InvalidArgument("more calculators stored than configured");
  return Status::Ok();
}

Value Opt(std::optional<double> v) {
  return v ? Value(*v) : Value();
}

// Feeds `x` to every calculator; the values, named by indicator and period.
Value Update(KeyState& s, double x) {
  Value out = Value::MakeObject();
  for (Sma& c : s.sma) out.Set("sma_" + std::to_string(c.period()), Opt(c.Update(x)));
  for (Ema& c : s.ema) out.Set("ema_" + std::to_string(c.period()), Opt(c.Update(x)));
  if (s.rsi) out.Set("rsi_" + std::to_string(s.rsi->period()), Opt(s.rsi->Update(x)));
  if (s.macd) {
    std::optional<market::MacdValue> m = s.macd->Update(x);
    Value v;
    if (m) {
      v = Value::MakeObject();
      v.Set("line", m->line);
      v.Set("signal", Opt(m->signal));
      v.Set("histogram", Opt(m->histogram));
    }
    out.Set("macd", std::move(v));
  }
  if (s.bollinger) {
    std::optional<market::BollingerValue> b = s.bollinger->Update(x);
    Value v;
    if (b) {
      v = Value::MakeObject();
      v.Set("middle", b->middle);
      v.Set("upper", b->upper);
      v.Set("lower", b->lower);
    }
    out.Set("bollinger", std::move(v));
  }
  if (s.volatility) out.Set("volatility_" + std::to_string(s.volatility->period()), Opt(s.volatility->Update(x)));
  return out;
}

class IndicatorsProcessor final : public Processor {
 public:
  explicit IndicatorsProcessor(const IndicatorsConfig& config) : config_(config) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    ASSIGN_OR_RETURN(store_, market_support::KeyValueStoreOf("indicators", context, config_.store));
    return Status::Ok();
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(double x, market_support::NumberOf("indicators", config_.field, record));
    const std::string key = record.key.ToJson();
    ASSIGN_OR_RETURN(KeyState state, FreshState(config_));
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->Get(key));
    if (stored) {
      if (Status st = Decode(*stored, state); !st.ok()) {
        return market_support::UnusableState("indicators", key, config_.store, st);
      }
    }
    Value values = Update(state, x);
    // The output first: a record it cannot be written into is a data error
    // and must leave the state as it was.
    RETURN_IF_ERROR(config_.output.Assign(record.value, std::move(values)));
    RETURN_IF_ERROR(store_->Put(key, Encode(state)));
    return context().Forward(std::move(record));
  }

 private:
  const IndicatorsConfig& config_;
  KeyValueStore* store_ = nullptr;
};

class IndicatorsDef final : public OperatorDef {
 public:
  explicit IndicatorsDef(IndicatorsConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<IndicatorsProcessor>(config_); }
  std::string_view kind() const override { return "indicators"; }
  std::string detail() const override {
    return "of " + config_.field.text() + " into " + config_.output.text() + ", store " + config_.store;
  }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  IndicatorsConfig config_;
};

std::optional<int> Period(OperatorBuildContext& ctx, const ParamValue& v, int min) {
  if (v.int_value < min || v.int_value > market::kMaxPeriod) {
    ctx.Error(v.pos, "period must be between " + std::to_string(min) + " and " + std::to_string(market::kMaxPeriod) +
                         ", found " + std::to_string(v.int_value));
    return std::nullopt;
  }
  return static_cast<int>(v.int_value);
}

std::shared_ptr<const OperatorDef> BuildIndicators(OperatorBuildContext& ctx) {
  IndicatorsConfig c;
  bool ok = true;
  auto compiled = ctx.CompileExpression(*ctx.Param("field"), "indicators field");
  if (!compiled) return nullptr;
  c.field = std::move(*compiled);
  auto periods = [&](const char* name, std::vector<int>& out) {
    if (const ParamValue* list = ctx.Param(name)) {
      for (const ParamValue& p : list->items) {
        if (auto n = Period(ctx, p, 1))
          out.push_back(*n);
        else
          ok = false;
      }
    }
  };
  periods("sma", c.sma);
  periods("ema", c.ema);
  if (const ParamValue* p = ctx.Param("rsi")) {
    c.rsi = Period(ctx, *p, 1);
    ok = ok && c.rsi.has_value();
  }
  if (const ParamValue* p = ctx.Param("volatility")) {
    c.volatility = Period(ctx, *p, 2);
    ok = ok && c.volatility.has_value();
  }
  if (const ParamValue* m = ctx.Param("macd")) {
    // Clamped into int range first, so Make's range check sees them as written.
    auto period = [&](const char* name, int64_t fallback) {
      const int64_t v = m->Find(name) ? m->Find(name)->int_value : fallback;
      return static_cast<int>(std::clamp<int64_t>(v, -1, market::kMaxPeriod + 1));
    };
    const int fast = period("fast", 12), slow = period("slow", 26), signal = period("signal", 9);
    if (Status st = Macd::Make(fast, slow, signal).status(); !st.ok()) {
      ctx.Error(m->pos, "macd: " + st.message());
      ok = false;
    }
    c.macd = std::array<int, 3>{fast, slow, signal};
  }
  if (const ParamValue* b = ctx.Param("bollinger")) {
    const int period = static_cast<int>(
        std::clamp<int64_t>(b->Find("period") ? b->Find("period")->int_value : 20, -1, market::kMaxPeriod + 1));
    const double k = b->Find("k") ? b->Find("k")->double_value : 2.0;
    if (Status st = Bollinger::Make(period, k).status(); !st.ok()) {
      ctx.Error(b->pos, "bollinger: " + st.message());
      ok = false;
    }
    c.bollinger = std::make_pair(period, k);
  }
  if (ok && c.sma.empty() && c.ema.empty() && !c.rsi && !c.macd && !c.bollinger && !c.volatility) {
    ctx.Error(ctx.step_pos(), "indicators needs at least one of sma, ema, rsi, macd, bollinger, volatility");
    ok = false;
  }
  const ParamValue* output = ctx.Param("output");
  Result<FieldPath> path = FieldPath::Parse(output->text);
  if (!path.ok()) {
    ctx.Error(output->pos, "indicators output: " + path.status().message());
    ok = false;
  }
  if (!ok) return nullptr;
  c.output = std::move(path).value();
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<IndicatorsDef>(std::move(c));
}

ParamDecl PeriodList(const char* name, const char* doc) {
  return {.name = name,
          .type = ParamType::kList,
          .doc = doc,
          .item = std::make_shared<const ParamDecl>(
              ParamDecl{.name = "period", .type = ParamType::kInt, .doc = "a period, in observations"})};
}

ParamDecl IntParam(const char* name, const char* doc, const char* default_value = "") {
  return {.name = name, .type = ParamType::kInt, .default_value = default_value, .doc = doc};
}

}  // namespace

Status RegisterIndicatorsOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "indicators",
       .doc = "Technical indicators per key (SMA, EMA, Wilder RSI, MACD, Bollinger, volatility) added to each record.",
       .params = {{.name = "field",
                   .type = ParamType::kExpression,
                   .default_value = "close",
                   .doc = "the observed number, e.g. a candle's close"},
                  PeriodList("sma", "simple moving averages: periods, e.g. [20] -> sma_20"),
                  PeriodList("ema", "exponential moving averages (SMA-seeded): periods -> ema_N"),
                  IntParam("rsi", "Wilder's RSI period -> rsi_N"),
                  {.name = "macd",
                   .type = ParamType::kObject,
                   .doc = "MACD -> macd: {line, signal, histogram}",
                   .fields = {IntParam("fast", "fast EMA period", "12"), IntParam("slow", "slow EMA period", "26"),
                              IntParam("signal", "signal EMA period", "9")}},
                  {.name = "bollinger",
                   .type = ParamType::kObject,
                   .doc = "Bollinger Bands (population stddev) -> bollinger: {middle, upper, lower}",
                   .fields = {IntParam("period", "SMA period", "20"),
                              {.name = "k",
                               .type = ParamType::kDouble,
                               .default_value = "2",
                               .doc = "band width in stddevs"}}},
                  IntParam("volatility", "sample stddev of the last N log returns -> volatility_N"),
                  {.name = "output",
                   .type = ParamType::kField,
                   .default_value = "indicators",
                   .doc = "the field the values are written to (null while an indicator warms up)"},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .stores = {{.name_suffix = "-store", .kind = StoreKind::kKeyValue, .doc = "every calculator's state per key"}},
       .factory = BuildIndicators});
}

}  // namespace streamapp::operators
