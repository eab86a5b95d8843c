// OpenStore: stacks the layers a StoreSpec asks for.
#include "state/layers.h"

namespace streamapp {

std::string_view StoreKindName(StoreKind kind) {
  switch (kind) {
    case StoreKind::kKeyValue: return "key-value";
    case StoreKind::kWindow: return "window";
    case StoreKind::kSession: return "session";
  }
  return "unknown";
}

}  // namespace streamapp

namespace streamapp::state {

// inner (RocksDB unless in_memory) -> change-logging (if logged and the
// context has a changelog writer) -> caching (if cached and the thread has a
// cache budget) -> metered, wrapped in a window/session facade per kind.
// A RocksDB store opened without StateResources uses RocksDB's own defaults
// for its block cache and memtables (tests, tools).
Result<OpenedStore> OpenStore(const StoreSpec& spec, const StoreContext& context) {
  if (spec.name.empty()) return Status::InvalidArgument("a store needs a name");
  if (spec.logged && context.changelog != nullptr && context.changelog_topic.empty()) {
    return Status::InvalidArgument("store " + spec.name + ": no changelog topic");
  }
  std::unique_ptr<InnerStore> inner;
  if (spec.in_memory) {
    inner = NewInMemoryStore(spec);
  } else {
    if (context.task_dir.empty()) return Status::InvalidArgument("store " + spec.name + ": no task directory");
    ASSIGN_OR_RETURN(inner, OpenRocksDbStore(spec, context.task_dir, context.resources));
  }
  OpenedStore opened;
  opened.restore = inner.get();
  auto metrics = std::make_unique<StoreMetrics>();
  opened.metrics = metrics.get();

  std::unique_ptr<LayeredStore> layers = std::move(inner);
  if (spec.logged && context.changelog != nullptr) {
    layers = NewChangeLoggingStore(std::move(layers), context.changelog, context.changelog_topic, context.partition,
                                   context.current_timestamp, opened.metrics);
  }
  if (spec.cached && context.cache != nullptr && context.cache->max_bytes() > 0) {
    layers = NewCachingStore(std::move(layers), context.cache, context.current_timestamp, opened.metrics);
  }
  layers = NewMeteredStore(std::move(layers), std::move(metrics));

  switch (spec.kind) {
    case StoreKind::kKeyValue: opened.store = std::move(layers); break;
    case StoreKind::kWindow: opened.store = NewWindowStore(std::move(layers)); break;
    case StoreKind::kSession: opened.store = NewSessionStore(std::move(layers)); break;
  }
  if (!opened.store) return Status::InvalidArgument("store " + spec.name + ": unknown kind");
  return opened;
}

}  // namespace streamapp::state
