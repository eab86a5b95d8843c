// silence: per key (e.g. a device), one alert for each period in which the
// key sent nothing for longer than `timeout`. Nothing arrives from a silent
// device, so a punctuator looks for silent keys: by default on stream time
// (the task's largest record timestamp, moved by every key's records), which
// is deterministic and works for replayed data whose event time runs faster
// than the wall clock; `clock: wall` compares the wall clock with the last
// record's event time instead, for live data only (docs/telemetry-operators.md).
//
// A punctuation runs only between records, so a key can come back before a
// punctuation saw its gap (stream time and the returning record move
// together). The returning record then reports the gap itself: every gap
// longer than `timeout` gives exactly one alert, whatever the interval.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>
#include <utility>

#include "market/operator_support.h"
#include "streamapp/serde.h"
#include "telemetry/telemetry_operators.h"

namespace streamapp::operators {
namespace {

struct SilenceConfig {
  int64_t timeout_ms = 0;
  int64_t interval_ms = 0;
  bool wall_clock = false;
  std::vector<FieldPath> carry;  // copied from the key's latest record into its alert
  std::string store;
};

// Stored per key: {"key": the record key, "last_seen": ms, "alerted": bool,
// "carried": {path: value}}. `alerted`: this silent period was reported.
struct KeyState {
  Value key;
  int64_t last_seen = 0;
  bool alerted = false;
  Value carried;
};

Value ToValue(const KeyState& s) {
  Value v = Value::MakeObject();
  v.Set("key", s.key);
  v.Set("last_seen", s.last_seen);
  v.Set("alerted", s.alerted);
  v.Set("carried", s.carried);
  return v;
}

Result<KeyState> FromValue(const Value& v) {
  const Value* key = v.Find("key");
  const Value* last_seen = v.Find("last_seen");
  const Value* alerted = v.Find("alerted");
  if (key == nullptr || last_seen == nullptr || !last_seen->is_int() || alerted == nullptr || !alerted->is_bool()) {
    return Status::InvalidArgument("malformed stored state");
  }
  KeyState s;
  s.key = *key;
  s.last_seen = last_seen->as_int();
  s.alerted = alerted->as_bool();
  if (const Value* carried = v.Find("carried")) s.carried = *carried;
  return s;
}

class SilenceProcessor final : public Processor {
 public:
  explicit SilenceProcessor(const SilenceConfig& config) : config_(config), json_(*MakeSerde("json", {})) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    ASSIGN_OR_RETURN(store_, market_support::KeyValueStoreOf("silence", context, config_.store));
    return context.Schedule(std::chrono::milliseconds(config_.interval_ms),
                            config_.wall_clock ? PunctuationType::kWallClock : PunctuationType::kStreamTime,
                            [this](Timestamp now) { return Punctuate(now.value()); });
  }

  Status Process(Record record) override {
    const std::string key = record.key.ToJson();
    const int64_t ts = record.timestamp.value();
    ASSIGN_OR_RETURN(std::optional<KeyState> stored, Load(key));
    KeyState s;
    if (stored) {
      s = std::move(*stored);
      // An out-of-order record from before the last one says nothing about
      // the present: it neither ends a silent period nor reports one.
      if (ts <= s.last_seen) return Status::Ok();
      if (!s.alerted && ts - s.last_seen > config_.timeout_ms) {
        RETURN_IF_ERROR(Emit(s, ts, /*still_silent=*/false));
      }
    }
    s.key = record.key;
    s.last_seen = ts;
    s.alerted = false;
    s.carried = Value::MakeObject();
    for (const FieldPath& path : config_.carry) {
      const Value* v = path.Lookup(record.value);
      RETURN_IF_ERROR(path.Assign(s.carried, v != nullptr ? *v : Value()));
    }
    return Save(key, s);
  }

 private:
  // Reports every key silent for longer than the timeout at `now` (stream
  // or wall time) that has not been reported yet.
  Status Punctuate(int64_t now) {
    std::vector<std::pair<std::string, KeyState>> silent;
    Status decode;
    RETURN_IF_ERROR(store_->All([&](std::string_view key, std::string_view bytes) {
      Result<KeyState> s = Decode(key, bytes);
      if (!s.ok()) {
        decode = s.status();
        return false;
      }
      if (!s->alerted && now - s->last_seen > config_.timeout_ms) silent.emplace_back(key, std::move(*s));
      return true;
    }));
    RETURN_IF_ERROR(decode);
    for (auto& [key, s] : silent) {
      RETURN_IF_ERROR(Emit(s, now, /*still_silent=*/true));
      s.alerted = true;
      RETURN_IF_ERROR(Save(key, s));
    }
    return Status::Ok();
  }

  // The alert: the carried fields plus last_seen, detected_at, silent_ms,
  // timeout_ms and still_silent (false when the key's return reported it).
  Status Emit(const KeyState& s, int64_t now, bool still_silent) {
    Record out;
    out.key = s.key;
    out.timestamp = Timestamp(now);
    out.value = s.carried.is_object() ? s.carried : Value::MakeObject();
    out.value.Set("last_seen", s.last_seen);
    out.value.Set("detected_at", now);
    out.value.Set("silent_ms", now - s.last_seen);
    out.value.Set("timeout_ms", config_.timeout_ms);
    out.value.Set("still_silent", still_silent);
    return context().Forward(std::move(out));
  }

  Result<std::optional<KeyState>> Load(const std::string& key) {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_->Get(key));
    if (!bytes) return std::optional<KeyState>();
    ASSIGN_OR_RETURN(KeyState s, Decode(key, *bytes));
    return std::optional<KeyState>(std::move(s));
  }

  Result<KeyState> Decode(std::string_view key, std::string_view bytes) {
    Value v;
    Status st = json_->Deserialize(bytes, &v);
    Result<KeyState> s = st.ok() ? FromValue(v) : Result<KeyState>(st);
    if (!s.ok()) return market_support::UnusableState("silence", std::string(key), config_.store, s.status());
    return s;
  }

  Status Save(const std::string& key, const KeyState& s) {
    std::string bytes;
    RETURN_IF_ERROR(json_->Serialize(ToValue(s), &bytes));
    return store_->Put(key, bytes);
  }

  const SilenceConfig& config_;
  std::shared_ptr<const Serde> json_;
  KeyValueStore* store_ = nullptr;
};

class SilenceDef final : public OperatorDef {
 public:
  explicit SilenceDef(SilenceConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<SilenceProcessor>(config_); }
  std::string_view kind() const override { return "silence"; }
  std::string detail() const override {
    return "silent > " + std::to_string(config_.timeout_ms) + " ms, checked every " +
           std::to_string(config_.interval_ms) + " ms of " + (config_.wall_clock ? "wall" : "stream") +
           " time, store " + config_.store;
  }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  SilenceConfig config_;
};

std::shared_ptr<const OperatorDef> BuildSilence(OperatorBuildContext& ctx) {
  SilenceConfig c;
  const ParamValue* timeout = ctx.Param("timeout");
  const ParamValue* interval = ctx.Param("interval");
  bool ok = true;
  if (timeout->int_value <= 0) {
    ctx.Error(timeout->pos, "silence timeout must be > 0");
    ok = false;
  }
  if (interval->int_value <= 0) {
    ctx.Error(interval->pos, "silence interval must be > 0");
    ok = false;
  }
  if (!ok) return nullptr;
  c.timeout_ms = timeout->int_value;
  c.interval_ms = interval->int_value;
  c.wall_clock = ctx.Param("clock")->text == "wall";
  if (const ParamValue* carry = ctx.Param("carry")) {
    for (const ParamValue& f : carry->items) c.carry.push_back(*FieldPath::Parse(f.text));  // checked by the loader
  }
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<SilenceDef>(std::move(c));
}

}  // namespace

Status RegisterSilenceOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "silence",
       .doc = "Per key, one alert record for each period longer than `timeout` in which the key sent nothing.",
       .params = {{.name = "timeout",
                   .type = ParamType::kDuration,
                   .required = true,
                   .doc = "a key is silent after this long without a record (strictly more)"},
                  {.name = "interval",
                   .type = ParamType::kDuration,
                   .default_value = "30s",
                   .doc = "how often (of the chosen clock) to look for silent keys"},
                  {.name = "clock",
                   .type = ParamType::kEnum,
                   .default_value = "stream",
                   .doc = "stream: the task's stream time (deterministic, replays); wall: the system clock (live)",
                   .choices = {"stream", "wall"}},
                  {.name = "carry",
                   .type = ParamType::kList,
                   .doc = "fields of the key's latest record copied into its alert, e.g. [site]",
                   .item = std::make_shared<const ParamDecl>(
                       ParamDecl{.name = "field", .type = ParamType::kField, .doc = "a field path"})},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .stores = {{.name_suffix = "-store",
                   .kind = StoreKind::kKeyValue,
                   .doc = "each key's last record time, whether its silence was reported, carried fields"}},
       .factory = BuildSilence});
}

}  // namespace streamapp::operators
