// The plugin ABI. A plugin is a shared library with one extern "C" entry
// point, `streamapp_plugin`, returning a StreamappPluginInfo. The host reads
// `abi_version` first (a plain integer at a fixed offset) and calls nothing
// else of a plugin built for another ABI. A plugin registers its operators
// through OperatorRegistry::Register, exactly like the built-in ones.
//
// Plugins include only public headers and link against nothing of
// streamapp: framework symbols (Status, Value, Expression, ...) resolve
// from the host executable, which exports them (-rdynamic). Build a plugin
// with the same compiler and standard library as stream-app.
//
//   #include "streamapp/plugin.h"
//   static streamapp::Status Register(streamapp::OperatorRegistry& r) { return r.Register({...}); }
//   STREAMAPP_PLUGIN("my-plugin", Register)
#pragma once

#include <cstdint>

#include "streamapp/operator_registry.h"

// Bump on any change to the public headers that changes layout or vtables.
#define STREAMAPP_PLUGIN_ABI_CURRENT 1

// A plugin declares the ABI of the headers it was compiled with; the test
// suite overrides it to build a plugin for a foreign ABI.
#ifndef STREAMAPP_PLUGIN_ABI_VERSION
#define STREAMAPP_PLUGIN_ABI_VERSION STREAMAPP_PLUGIN_ABI_CURRENT
#endif

namespace streamapp {

inline constexpr uint32_t kPluginAbiVersion = STREAMAPP_PLUGIN_ABI_CURRENT;

using PluginRegisterFn = Status (*)(OperatorRegistry& registry);

}  // namespace streamapp

extern "C" {

struct StreamappPluginInfo {
  uint32_t abi_version;  // first: readable whatever the rest of the layout
  const char* name;
  streamapp::PluginRegisterFn register_operators;
};

// The entry point's name, for dlsym.
#define STREAMAPP_PLUGIN_ENTRY "streamapp_plugin"
typedef const StreamappPluginInfo* (*StreamappPluginEntry)();

}  // extern "C"

#define STREAMAPP_PLUGIN(plugin_name, register_fn)                                                  \
  extern "C" __attribute__((visibility("default"))) const StreamappPluginInfo* streamapp_plugin() { \
    static const StreamappPluginInfo info{STREAMAPP_PLUGIN_ABI_VERSION, plugin_name, &register_fn}; \
    return &info;                                                                                   \
  }
