// ohlcv: candles per key and tumbling event-time window — open, high, low,
// close, volume, trade count and volume-weighted average price — built on
// the engine's windowed aggregation (window store, grace, emit final or
// updates, late records dropped and counted).
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>
#include <utility>

#include "market/market_operators.h"
#include "market/operator_support.h"
#include "streamapp/aggregation.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

// The aggregate: the candle so far, plus what open/close/vwap need. Open and
// close follow event time, not arrival: a trade arriving late within the
// grace period with an earlier timestamp becomes the open. Ties keep the
// first trade as open and the last as close.
Value NewCandle(double price, double quantity, int64_t t) {
  Value c = Value::MakeObject();
  c.Set("open", price);
  c.Set("high", price);
  c.Set("low", price);
  c.Set("close", price);
  c.Set("volume", quantity);
  c.Set("trade_count", int64_t{1});
  c.Set("notional", price * quantity);
  c.Set("open_time", t);
  c.Set("close_time", t);
  return c;
}

double Num(const Value& c, std::string_view field) {
  const Value* v = c.Find(field);
  return v != nullptr && v->is_number() ? v->as_number() : 0;
}
int64_t Int(const Value& c, std::string_view field) {
  const Value* v = c.Find(field);
  return v != nullptr && v->is_int() ? v->as_int() : 0;
}

Value AddTrade(Value c, double price, double quantity, int64_t t) {
  if (c.is_null()) return NewCandle(price, quantity, t);
  if (t < Int(c, "open_time")) {
    c.Set("open", price);
    c.Set("open_time", t);
  }
  if (t >= Int(c, "close_time")) {
    c.Set("close", price);
    c.Set("close_time", t);
  }
  if (price > Num(c, "high")) c.Set("high", price);
  if (price < Num(c, "low")) c.Set("low", price);
  c.Set("volume", Num(c, "volume") + quantity);
  c.Set("trade_count", Int(c, "trade_count") + 1);
  c.Set("notional", Num(c, "notional") + price * quantity);
  return c;
}

// Two candles of one key (session windows merge; kept for completeness).
Value MergeCandles(Value a, const Value& b) {
  if (a.is_null()) return b;
  if (b.is_null()) return a;
  if (Int(b, "open_time") < Int(a, "open_time")) {
    a.Set("open", Num(b, "open"));
    a.Set("open_time", Int(b, "open_time"));
  }
  if (Int(b, "close_time") >= Int(a, "close_time")) {
    a.Set("close", Num(b, "close"));
    a.Set("close_time", Int(b, "close_time"));
  }
  a.Set("high", std::max(Num(a, "high"), Num(b, "high")));
  a.Set("low", std::min(Num(a, "low"), Num(b, "low")));
  a.Set("volume", Num(a, "volume") + Num(b, "volume"));
  a.Set("trade_count", Int(a, "trade_count") + Int(b, "trade_count"));
  a.Set("notional", Num(a, "notional") + Num(b, "notional"));
  return a;
}

Value FinishCandle(const Value& c) {
  if (c.is_null()) return c;
  Value out = Value::MakeObject();
  for (const char* f : {"open", "high", "low", "close", "volume"}) out.Set(f, Num(c, f));
  out.Set("trade_count", Int(c, "trade_count"));
  const double volume = Num(c, "volume");
  out.Set("vwap", volume > 0 ? Value(Num(c, "notional") / volume) : Value());
  return out;
}

std::shared_ptr<const OperatorDef> BuildOhlcv(OperatorBuildContext& ctx) {
  auto price = ctx.CompileExpression(*ctx.Param("price"), "ohlcv price");
  auto quantity = ctx.CompileExpression(*ctx.Param("quantity"), "ohlcv quantity");
  if (!price || !quantity) return nullptr;
  const ParamValue* window = ctx.Param("window");
  const ParamValue* grace = ctx.Param("grace");
  if (window->int_value <= 0) {
    ctx.Error(window->pos, "ohlcv window must be positive");
    return nullptr;
  }
  WindowSpec spec;
  spec.type = WindowSpec::Type::kTumbling;
  spec.size = std::chrono::milliseconds(window->int_value);
  spec.advance = spec.size;
  spec.grace = std::chrono::milliseconds(grace->int_value);

  WindowedAggregation agg;
  const ParamValue* store = ctx.Param("store");
  agg.store = store != nullptr ? store->text : ctx.StoreName();
  agg.key_serde = *MakeSerde("json", {});  // any key, as written
  agg.value_serde = *MakeSerde("json", {});
  agg.in_memory = ctx.Param("in_memory")->bool_value;
  agg.cached = ctx.Param("cache")->bool_value;
  agg.window_fields_in_value = true;
  auto p = std::make_shared<const expr::Expression>(std::move(*price));
  auto q = std::make_shared<const expr::Expression>(std::move(*quantity));
  agg.fns.init = []() -> Result<Value> { return Value(); };
  agg.fns.add = [p, q](const Record& r, Value candle) -> Result<Value> {
    ASSIGN_OR_RETURN(double px, market_support::NumberOf("ohlcv price", *p, r));
    ASSIGN_OR_RETURN(double qty, market_support::NumberOf("ohlcv quantity", *q, r));
    return AddTrade(std::move(candle), px, qty, r.timestamp.value());
  };
  agg.fns.merge = [](Value a, Value b) -> Result<Value> { return MergeCandles(std::move(a), b); };
  agg.finish = FinishCandle;
  agg.window = spec;
  agg.emit = ctx.Param("emit")->text == "updates" ? EmitMode::kUpdates : EmitMode::kFinal;
  return MakeWindowedAggregation(std::move(agg));
}

}  // namespace

Status RegisterOhlcvOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "ohlcv",
       .aliases = {"candles"},
       .doc = "OHLCV candles per key and tumbling event-time window: "
              "{window_start, window_end, open, high, low, close, volume, trade_count, vwap}.",
       .params =
           {{.name = "price", .type = ParamType::kExpression, .default_value = "price", .doc = "a trade's price"},
            {.name = "quantity",
             .type = ParamType::kExpression,
             .default_value = "quantity",
             .doc = "a trade's quantity (volume and vwap weight)"},
            {.name = "window", .type = ParamType::kDuration, .required = true, .doc = "the candle length, e.g. 1m"},
            {.name = "grace",
             .type = ParamType::kDuration,
             .default_value = "0",
             .doc = "how late a trade may arrive and still count"},
            {.name = "emit",
             .type = ParamType::kEnum,
             .default_value = "final",
             .doc = "one final candle per window, or every update",
             .choices = {"final", "updates"}},
            {.name = "store", .type = ParamType::kString, .doc = "store name; default the node name"},
            {.name = "in_memory",
             .type = ParamType::kBool,
             .default_value = "false",
             .doc = "keep the store in memory instead of RocksDB"},
            {.name = "cache",
             .type = ParamType::kBool,
             .default_value = "true",
             .doc = "fold updates per key between commits (emit: updates)"}},
       .stores = {{.name_suffix = "",
                   .kind = StoreKind::kWindow,
                   .doc = "the open candles (and, final, the emitted marks)"}},
       .factory = BuildOhlcv});
}

}  // namespace streamapp::operators
