// top_n: per key (the group, e.g. a window start after selectKey), the n
// members with the highest score, emitted whenever that list changes. Each
// member keeps its latest score, so it works on a stream of updates (e.g.
// an aggregation's) as well as on final values. The group's members live in
// one store entry; `expire_after` drops groups not updated for that long
// (stream time), so per-window groups do not pile up.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <algorithm>
#include <memory>
#include <utility>

#include "analytics/analytics_operators.h"
#include "streamapp/serde.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

struct TopNConfig {
  int64_t n = 0;
  expr::Expression id;
  expr::Expression score;
  FieldPath output;
  int64_t expire_after_ms = 0;  // 0: never
  std::string store;
};

// Stored per group: {"updated": ms, "members": [[id, score], ...], "top": [...]}.
struct Group {
  int64_t updated = 0;
  std::vector<std::pair<Value, double>> members;
  Value top;  // the last emitted list (an array), null before the first
};

Value ToValue(const Group& g) {
  Value members = Value::MakeArray();
  for (const auto& [id, score] : g.members) members.as_array().push_back(Value(Value::Array{id, Value(score)}));
  Value v = Value::MakeObject();
  v.Set("updated", g.updated);
  v.Set("members", std::move(members));
  v.Set("top", g.top);
  return v;
}

Result<Group> FromValue(const Value& v) {
  Group g;
  const Value* updated = v.Find("updated");
  const Value* members = v.Find("members");
  if (updated == nullptr || !updated->is_int() || members == nullptr || !members->is_array()) {
    return Status::InvalidArgument("top_n: malformed stored group");
  }
  g.updated = updated->as_int();
  for (const Value& m : members->as_array()) {
    if (!m.is_array() || m.as_array().size() != 2 || !m.as_array()[1].is_number()) {
      return Status::InvalidArgument("top_n: malformed stored member");
    }
    g.members.emplace_back(m.as_array()[0], m.as_array()[1].as_number());
  }
  if (const Value* top = v.Find("top")) g.top = *top;
  return g;
}

// Highest score first; equal scores by id text, so the order is stable.
Value TopOf(const Group& g, int64_t n) {
  std::vector<const std::pair<Value, double>*> order;
  for (const auto& m : g.members) order.push_back(&m);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    if (a->second != b->second) return a->second > b->second;
    return a->first.ToJson() < b->first.ToJson();
  });
  Value top = Value::MakeArray();
  for (size_t i = 0; i < order.size() && static_cast<int64_t>(i) < n; ++i) {
    Value entry = Value::MakeObject();
    entry.Set("id", order[i]->first);
    entry.Set("score", order[i]->second);
    top.as_array().push_back(std::move(entry));
  }
  return top;
}

class TopNProcessor final : public Processor {
 public:
  explicit TopNProcessor(const TopNConfig& config) : config_(config), json_(*MakeSerde("json", {})) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    store_ = dynamic_cast<KeyValueStore*>(context.GetStateStore(config_.store));
    if (store_ == nullptr) return Status::Internal("top_n: store '" + config_.store + "' is missing");
    if (config_.expire_after_ms <= 0) return Status::Ok();
    return context.Schedule(std::chrono::milliseconds(std::max<int64_t>(1, config_.expire_after_ms / 2)),
                            PunctuationType::kStreamTime, [this](Timestamp now) { return Expire(now.value()); });
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(Value id, config_.id.Evaluate(record));
    ASSIGN_OR_RETURN(Value score, config_.score.Evaluate(record));
    if (id.is_null()) return Status::DataError("top_n: the id " + config_.id.text() + " is missing");
    if (!score.is_number()) {
      return Status::DataError("top_n: the score " + config_.score.text() + " is " +
                               (score.is_null() ? std::string("missing") : "not a number: " + score.ToJson()));
    }
    const std::string key = record.key.ToJson();
    Group group;
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->Get(key));
    if (stored) {
      Value v;
      RETURN_IF_ERROR(json_->Deserialize(*stored, &v));
      ASSIGN_OR_RETURN(group, FromValue(v));
    }
    auto member =
        std::find_if(group.members.begin(), group.members.end(), [&](const auto& m) { return m.first == id; });
    if (member == group.members.end()) {
      group.members.emplace_back(std::move(id), score.as_number());
    } else {
      member->second = score.as_number();
    }
    group.updated = record.timestamp.value();
    Value top = TopOf(group, config_.n);
    const bool changed = !(top == group.top);
    group.top = top;
    std::string bytes;
    RETURN_IF_ERROR(json_->Serialize(ToValue(group), &bytes));
    RETURN_IF_ERROR(store_->Put(key, bytes));
    if (!changed) return Status::Ok();
    Record out = record;
    out.value = Value::MakeObject();
    RETURN_IF_ERROR(config_.output.Assign(out.value, std::move(top)));
    return context().Forward(std::move(out));
  }

 private:
  // Groups whose last update is `expire_after` or more behind stream time.
  Status Expire(int64_t now) {
    std::vector<std::string> expired;
    Status decode;
    RETURN_IF_ERROR(store_->All([&](std::string_view key, std::string_view value) {
      Value v;
      if (Status st = json_->Deserialize(value, &v); !st.ok()) {
        decode = st;
        return false;
      }
      const Value* updated = v.Find("updated");
      if (updated != nullptr && updated->is_int() && now - updated->as_int() >= config_.expire_after_ms) {
        expired.emplace_back(key);
      }
      return true;
    }));
    RETURN_IF_ERROR(decode);
    for (const std::string& key : expired) RETURN_IF_ERROR(store_->Delete(key));
    return Status::Ok();
  }

  const TopNConfig& config_;
  std::shared_ptr<const Serde> json_;
  KeyValueStore* store_ = nullptr;
};

class TopNDef final : public OperatorDef {
 public:
  explicit TopNDef(TopNConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<TopNProcessor>(config_); }
  std::string_view kind() const override { return "top_n"; }
  std::string detail() const override {
    return "top " + std::to_string(config_.n) + " " + config_.id.text() + " by " + config_.score.text() + ", store " +
           config_.store;
  }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  TopNConfig config_;
};

std::shared_ptr<const OperatorDef> BuildTopN(OperatorBuildContext& ctx) {
  TopNConfig c;
  const ParamValue* n = ctx.Param("n");
  if (n->int_value < 1 || n->int_value > 10000) {
    ctx.Error(n->pos, "top_n n must be between 1 and 10000");
    return nullptr;
  }
  c.n = n->int_value;
  auto id = ctx.CompileExpression(*ctx.Param("id"), "top_n id");
  auto score = ctx.CompileExpression(*ctx.Param("score"), "top_n score");
  const ParamValue* output = ctx.Param("output");
  Result<FieldPath> path = FieldPath::Parse(output->text);
  if (!path.ok()) ctx.Error(output->pos, "top_n output: " + path.status().message());
  if (!id || !score || !path.ok()) return nullptr;
  c.id = std::move(*id);
  c.score = std::move(*score);
  c.output = std::move(path).value();
  if (const ParamValue* expire = ctx.Param("expire_after")) c.expire_after_ms = expire->int_value;
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<TopNDef>(std::move(c));
}

}  // namespace

Status RegisterTopNOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "top_n",
       .aliases = {"topN"},
       .doc = "Per key (the group), the n members with the highest score, emitted when that list changes.",
       .params = {{.name = "n", .type = ParamType::kInt, .required = true, .doc = "how many members to keep"},
                  {.name = "id", .type = ParamType::kExpression, .required = true, .doc = "the member, e.g. client_id"},
                  {.name = "score",
                   .type = ParamType::kExpression,
                   .required = true,
                   .doc = "the number ranked, highest first (a member keeps its latest)"},
                  {.name = "output",
                   .type = ParamType::kField,
                   .default_value = "top",
                   .doc = "the field of the emitted value holding [{id, score}, ...]"},
                  {.name = "expire_after",
                   .type = ParamType::kDuration,
                   .doc = "drop a group not updated for this long (stream time); default never"},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .stores = {{.name_suffix = "-store",
                   .kind = StoreKind::kKeyValue,
                   .doc = "each group's members and last top list"}},
       .factory = BuildTopN});
}

}  // namespace streamapp::operators
