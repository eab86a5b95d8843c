// share: per key and tumbling window, each member's share of the total of
// the members' latest values in that window — the crypto pipeline's
// market-cap share per coin (key every ticker to one constant first, so one
// task sees every coin). Exact per window: nothing is emitted until stream
// time passes the window's end plus grace, then one record per member.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <cstring>
#include <map>
#include <memory>
#include <utility>

#include "market/market_operators.h"
#include "market/operator_support.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

using market_support::AppendPart;
using market_support::NextPart;

struct ShareConfig {
  expr::Expression member;
  expr::Expression value;
  int64_t window_ms = 0;
  int64_t grace_ms = 0;
  std::string output;
  std::string store;
};

// One key's open windows: start -> member -> latest value. `closed_before`
// is the end of the last window emitted, so a record for an emitted window
// is late even after its state is gone.
struct KeyState {
  int64_t closed_before = INT64_MIN;
  std::map<int64_t, std::map<std::string, double>> windows;
};

std::string Fixed64(int64_t v) {
  return std::string(reinterpret_cast<const char*>(&v), 8);
}

int64_t ReadFixed64(std::string_view bytes) {
  int64_t v = 0;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}

// closed_before, then per window: its start, then name/value part pairs.
std::string Encode(const KeyState& s) {
  std::string out;
  AppendPart(out, Fixed64(s.closed_before));
  for (const auto& [start, members] : s.windows) {
    std::string window = Fixed64(start);
    for (const auto& [name, value] : members) {
      AppendPart(window, name);
      double v = value;
      AppendPart(window, std::string_view(reinterpret_cast<const char*>(&v), 8));
    }
    AppendPart(out, window);
  }
  return out;
}

Result<KeyState> Decode(std::string_view bytes) {
  KeyState s;
  ASSIGN_OR_RETURN(std::string_view closed, NextPart(bytes));
  if (closed.size() != 8) return Status::InvalidArgument("bad window mark");
  s.closed_before = ReadFixed64(closed);
  while (!bytes.empty()) {
    ASSIGN_OR_RETURN(std::string_view window, NextPart(bytes));
    if (window.size() < 8) return Status::InvalidArgument("bad window");
    auto& members = s.windows[ReadFixed64(window)];
    window.remove_prefix(8);
    while (!window.empty()) {
      ASSIGN_OR_RETURN(std::string_view name, NextPart(window));
      ASSIGN_OR_RETURN(std::string_view value, NextPart(window));
      if (value.size() != 8) return Status::InvalidArgument("bad member value");
      double v = 0;
      std::memcpy(&v, value.data(), 8);
      members[std::string(name)] = v;
    }
  }
  return s;
}

class ShareProcessor final : public Processor {
 public:
  explicit ShareProcessor(const ShareConfig& config) : config_(config) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    ASSIGN_OR_RETURN(store_, market_support::KeyValueStoreOf("share", context, config_.store));
    // Closes the windows of keys that stop receiving records.
    return context.Schedule(std::chrono::milliseconds(config_.window_ms), PunctuationType::kStreamTime,
                            [this](Timestamp) { return CloseAll(); });
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(Value member, config_.member.Evaluate(record));
    if (!member.is_string()) {
      return Status::DataError("share: member " + config_.member.text() + " is " +
                               (member.is_null() ? std::string("missing") : "not a string: " + member.ToJson()));
    }
    ASSIGN_OR_RETURN(double value, market_support::NumberOf("share", config_.value, record));
    const std::string key = record.key.ToJson();
    ASSIGN_OR_RETURN(KeyState state, Load(key));
    const int64_t ts = record.timestamp.value();
    const int64_t start = ts - Mod(ts, config_.window_ms);
    if (start + config_.window_ms <= state.closed_before ||
        start + config_.window_ms + config_.grace_ms <= context().stream_time().value()) {
      context().AddToMetric("late-records-dropped", 1);
      return Status::Ok();
    }
    state.windows[start][std::string(member.as_string())] = value;
    return CloseDue(key, state);
  }

 private:
  static int64_t Mod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

  Result<KeyState> Load(const std::string& key) {
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->Get(key));
    if (!stored) return KeyState{};
    Result<KeyState> decoded = Decode(*stored);
    if (!decoded.ok()) return market_support::UnusableState("share", key, config_.store, decoded.status());
    return decoded;
  }

  // Emits and forgets every window whose end plus grace stream time has
  // passed, then stores what is left.
  Status CloseDue(const std::string& key, KeyState& state) {
    const int64_t now = context().stream_time().value();
    std::vector<Record> out;
    while (!state.windows.empty()) {
      const auto& [start, members] = *state.windows.begin();
      const int64_t end = start + config_.window_ms;
      if (end + config_.grace_ms > now) break;
      double total = 0;
      for (const auto& [name, v] : members) total += v;
      for (const auto& [name, v] : members) {
        Value value = Value::MakeObject();
        value.Set("member", name);
        value.Set("value", v);
        value.Set(config_.output, total != 0 ? Value(v / total) : Value());
        value.Set("total", total);
        value.Set("members", static_cast<int64_t>(members.size()));
        value.Set("window_start", start);
        value.Set("window_end", end);
        Record r;
        r.key = Value(name);
        r.value = std::move(value);
        r.timestamp = Timestamp(end - 1);
        out.push_back(std::move(r));
      }
      state.closed_before = end;
      state.windows.erase(state.windows.begin());
    }
    RETURN_IF_ERROR(store_->Put(key, Encode(state)));
    for (Record& r : out) RETURN_IF_ERROR(context().Forward(std::move(r)));
    return Status::Ok();
  }

  Status CloseAll() {
    std::vector<std::pair<std::string, std::string>> entries;
    RETURN_IF_ERROR(store_->All([&](std::string_view k, std::string_view v) {
      entries.emplace_back(k, v);
      return true;
    }));
    for (auto& [key, bytes] : entries) {
      Result<KeyState> state = Decode(bytes);
      if (!state.ok()) return market_support::UnusableState("share", key, config_.store, state.status());
      if (state->windows.empty()) continue;
      RETURN_IF_ERROR(CloseDue(key, *state));
    }
    return Status::Ok();
  }

  const ShareConfig& config_;
  KeyValueStore* store_ = nullptr;
};

class ShareDef final : public OperatorDef {
 public:
  explicit ShareDef(ShareConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<ShareProcessor>(config_); }
  std::string_view kind() const override { return "share"; }
  std::string detail() const override {
    return config_.value.text() + " of each " + config_.member.text() + " / total per " +
           std::to_string(config_.window_ms) + " ms window, store " + config_.store;
  }
  bool changes_key() const override { return true; }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  ShareConfig config_;
};

std::shared_ptr<const OperatorDef> BuildShare(OperatorBuildContext& ctx) {
  ShareConfig c;
  bool ok = true;
  for (auto [name, target] : {std::pair{"member", &c.member}, std::pair{"value", &c.value}}) {
    auto compiled = ctx.CompileExpression(*ctx.Param(name), name);
    if (compiled) {
      *target = std::move(*compiled);
    } else {
      ok = false;
    }
  }
  const ParamValue* window = ctx.Param("window");
  c.window_ms = window->int_value;
  if (c.window_ms <= 0) {
    ctx.Error(window->pos, "share window must be positive");
    ok = false;
  }
  const ParamValue* grace = ctx.Param("grace");
  c.grace_ms = grace->int_value;
  if (c.grace_ms < 0) {
    ctx.Error(grace->pos, "share grace must not be negative");
    ok = false;
  }
  if (!ok) return nullptr;
  c.output = ctx.Param("output")->text;
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<ShareDef>(std::move(c));
}

}  // namespace

Status RegisterShareOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "share",
       .doc = "Per key and tumbling window: each member's share of the total of the members' latest values, "
              "emitted when the window closes.",
       .params = {{.name = "member",
                   .type = ParamType::kExpression,
                   .required = true,
                   .doc = "the member a record reports on (a string), e.g. id"},
                  {.name = "value",
                   .type = ParamType::kExpression,
                   .required = true,
                   .doc = "the member's number, e.g. market_cap; its latest value in the window counts"},
                  {.name = "window", .type = ParamType::kDuration, .required = true, .doc = "the window, e.g. 1m"},
                  {.name = "grace",
                   .type = ParamType::kDuration,
                   .default_value = "0",
                   .doc = "how long after its end a window still takes records"},
                  {.name = "output",
                   .type = ParamType::kString,
                   .default_value = "share",
                   .doc = "the output field holding value / total"},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .stores = {{.name_suffix = "-store", .kind = StoreKind::kKeyValue, .doc = "each key's open windows"}},
       .changes_key = true,
       .factory = BuildShare});
}

}  // namespace streamapp::operators
