// A sample operator plugin: `dedupe` drops a record whose dedupe key (an
// expression, by default the record key) was already seen within `window`
// of stream time. The last time each key was seen lives in a key-value store
// (so it moves with the task and is restored from its changelog), and a
// stream-time punctuator evicts entries older than the window, so the store
// holds only the keys of one window.
//
// It includes public headers only and links against nothing of streamapp;
// the symbols it uses resolve from the stream-app executable.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>
#include <string>
#include <utility>

#include "streamapp/plugin.h"

namespace {

using streamapp::KeyValueStore;
using streamapp::OperatorBuildContext;
using streamapp::OperatorDecl;
using streamapp::OperatorDef;
using streamapp::OperatorRegistry;
using streamapp::ParamType;
using streamapp::ProcessorContext;
using streamapp::Record;
using streamapp::Status;
using streamapp::StoreKind;
using streamapp::StoreSpec;
using streamapp::Timestamp;

struct DedupeConfig {
  std::optional<streamapp::expr::Expression> key;  // none: the record key
  int64_t window_ms = 0;
  int64_t evict_every_ms = 0;
  std::string store;
};

class DedupeProcessor final : public streamapp::Processor {
 public:
  explicit DedupeProcessor(const DedupeConfig& config) : config_(config) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    store_ = dynamic_cast<KeyValueStore*>(context.GetStateStore(config_.store));
    if (store_ == nullptr) return Status::Internal("dedupe: store '" + config_.store + "' is missing");
    return context.Schedule(std::chrono::milliseconds(config_.evict_every_ms), streamapp::PunctuationType::kStreamTime,
                            [this](Timestamp now) { return Evict(now.value()); });
  }

  Status Process(Record record) override {
    std::string key;
    if (config_.key) {
      ASSIGN_OR_RETURN(streamapp::Value k, config_.key->Evaluate(record));
      key = k.ToJson();
    } else {
      key = record.key.ToJson();
    }
    const int64_t now = record.timestamp.value();
    ASSIGN_OR_RETURN(std::optional<std::string> seen, store_->Get(key));
    if (seen && now - std::stoll(*seen) < config_.window_ms) return Status::Ok();  // a duplicate
    RETURN_IF_ERROR(store_->Put(key, std::to_string(now)));
    return context().Forward(std::move(record));
  }

 private:
  // Removes the keys last seen a window or more before `now`.
  Status Evict(int64_t now) {
    std::vector<std::string> expired;
    RETURN_IF_ERROR(store_->All([&](std::string_view key, std::string_view value) {
      if (now - std::stoll(std::string(value)) >= config_.window_ms) expired.emplace_back(key);
      return true;
    }));
    for (const std::string& key : expired) RETURN_IF_ERROR(store_->Delete(key));
    if (!expired.empty()) context().AddToMetric("dedupe-evicted", static_cast<int64_t>(expired.size()));
    return Status::Ok();
  }

  const DedupeConfig& config_;
  KeyValueStore* store_ = nullptr;
};

class DedupeDef final : public OperatorDef {
 public:
  explicit DedupeDef(DedupeConfig config) : config_(std::move(config)) {}
  std::unique_ptr<streamapp::Processor> CreateProcessor() const override {
    return std::make_unique<DedupeProcessor>(config_);
  }
  std::string_view kind() const override { return "dedupe"; }
  std::string detail() const override {
    return (config_.key ? "key " + config_.key->text() : std::string("record key")) + ", window " +
           std::to_string(config_.window_ms) + "ms, store " + config_.store;
  }
  std::vector<StoreSpec> stores() const override {
    StoreSpec spec;
    spec.name = config_.store;
    spec.kind = StoreKind::kKeyValue;
    // Every update must reach the store at once: the next record of the
    // key reads it.
    spec.cached = false;
    return {spec};
  }

 private:
  DedupeConfig config_;
};

std::shared_ptr<const OperatorDef> BuildDedupe(OperatorBuildContext& ctx) {
  DedupeConfig config;
  if (const streamapp::ParamValue* key = ctx.Param("key")) {
    config.key = ctx.CompileExpression(*key, "dedupe key");
    if (!config.key) return nullptr;
  }
  const streamapp::ParamValue* window = ctx.Param("window");
  config.window_ms = window->int_value;
  if (config.window_ms <= 0) {
    ctx.Error(window->pos, "dedupe window: must be positive");
    return nullptr;
  }
  const streamapp::ParamValue* every = ctx.Param("evict_every");
  config.evict_every_ms = every != nullptr && every->int_value > 0 ? every->int_value : config.window_ms;
  const streamapp::ParamValue* store = ctx.Param("store");
  config.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<DedupeDef>(std::move(config));
}

Status Register(OperatorRegistry& registry) {
  return registry.Register(OperatorDecl{
      .name = "dedupe",
      .aliases = {"deduplicate"},
      .doc = "Drops records whose key was already seen within a window of stream time.",
      .params = {{.name = "key", .type = ParamType::kExpression, .doc = "the dedupe key; default the record key"},
                 {.name = "window",
                  .type = ParamType::kDuration,
                  .required = true,
                  .doc = "how long a key is remembered (stream time)"},
                 {.name = "evict_every", .type = ParamType::kDuration, .doc = "eviction period; default the window"},
                 {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
      .stores = {{.name_suffix = "-store", .kind = StoreKind::kKeyValue, .doc = "when each key was last seen"}},
      .factory = BuildDedupe});
}

}  // namespace

STREAMAPP_PLUGIN("dedupe", Register)
