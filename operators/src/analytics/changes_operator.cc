// changes: per key, forwards a record only when an expression's value differs
// from its value for the key's last forwarded record (the first record of a
// key always passes). "Emit on change" for streams of updates: a client's
// segment from its running spend, a flag that should fire once per key
// (a constant expression), ... The last forwarded value per key lives in a
// key-value store (JSON text), so it survives restarts through the changelog.
// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <memory>
#include <utility>

#include "analytics/analytics_operators.h"
#include "streamapp/serde.h"
#include "streamapp/value.h"

namespace streamapp::operators {
namespace {

struct ChangesConfig {
  expr::Expression expr;
  std::string store;
};

class ChangesProcessor final : public Processor {
 public:
  explicit ChangesProcessor(const ChangesConfig& config) : config_(config), json_(*MakeSerde("json", {})) {}

  Status Init(ProcessorContext& context) override {
    RETURN_IF_ERROR(Processor::Init(context));
    store_ = dynamic_cast<KeyValueStore*>(context.GetStateStore(config_.store));
    if (store_ == nullptr) return Status::Internal("changes: store '" + config_.store + "' is missing");
    return Status::Ok();
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(Value current, config_.expr.Evaluate(record));
    // Compared as JSON text: the same value always serializes the same way.
    std::string bytes;
    RETURN_IF_ERROR(json_->Serialize(current, &bytes));
    const std::string key = record.key.ToJson();
    ASSIGN_OR_RETURN(std::optional<std::string> last, store_->Get(key));
    if (last && *last == bytes) return Status::Ok();
    RETURN_IF_ERROR(store_->Put(key, bytes));
    return context().Forward(std::move(record));
  }

 private:
  const ChangesConfig& config_;
  std::shared_ptr<const Serde> json_;
  KeyValueStore* store_ = nullptr;
};

class ChangesDef final : public OperatorDef {
 public:
  explicit ChangesDef(ChangesConfig config) : config_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<ChangesProcessor>(config_); }
  std::string_view kind() const override { return "changes"; }
  std::string detail() const override { return "when " + config_.expr.text() + " changes, store " + config_.store; }
  std::vector<StoreSpec> stores() const override { return {StoreSpec::KeyValue(config_.store)}; }

 private:
  ChangesConfig config_;
};

std::shared_ptr<const OperatorDef> BuildChanges(OperatorBuildContext& ctx) {
  ChangesConfig c;
  auto compiled = ctx.CompileExpression(*ctx.Param("expr"), "changes expr");
  if (!compiled) return nullptr;
  c.expr = std::move(*compiled);
  const ParamValue* store = ctx.Param("store");
  c.store = store != nullptr ? store->text : ctx.StoreName("-store");
  return std::make_shared<ChangesDef>(std::move(c));
}

}  // namespace

Status RegisterChangesOperator(OperatorRegistry& registry) {
  return registry.Register(
      {.name = "changes",
       .aliases = {"emit_on_change"},
       .doc = "Per key, forwards a record only when an expression's value differs from the key's last forwarded one.",
       .params = {{.name = "expr",
                   .type = ParamType::kExpression,
                   .required = true,
                   .doc = "the value watched, e.g. segment; a constant lets only each key's first record through"},
                  {.name = "store", .type = ParamType::kString, .doc = "store name; default <node>-store"}},
       .shorthand = "expr",
       .stores = {{.name_suffix = "-store",
                   .kind = StoreKind::kKeyValue,
                   .doc = "each key's last forwarded value of expr (JSON)"}},
       .factory = BuildChanges});
}

}  // namespace streamapp::operators
