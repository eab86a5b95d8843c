#include "registry/plugin_loader.h"

#include <dlfcn.h>

#include "streamapp/plugin.h"

namespace streamapp::registry {

Status LoadPlugin(const std::string& path, OperatorRegistry& registry) {
  // RTLD_NOW: a plugin needing a symbol this stream-app lacks fails here,
  // with the symbol's name, not in the middle of processing.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::InvalidArgument("cannot load plugin " + path + ": " + (why != nullptr ? why : "unknown error"));
  }
  auto entry = reinterpret_cast<StreamappPluginEntry>(dlsym(handle, STREAMAPP_PLUGIN_ENTRY));
  if (entry == nullptr) {
    dlclose(handle);
    return Status::InvalidArgument("plugin " + path + " is not a streamapp plugin: it has no extern \"C\" '" +
                                   STREAMAPP_PLUGIN_ENTRY + "' entry point (use STREAMAPP_PLUGIN)");
  }
  const StreamappPluginInfo* info = entry();
  if (info == nullptr) {
    dlclose(handle);
    return Status::InvalidArgument("plugin " + path + " returned no plugin information");
  }
  if (info->abi_version != kPluginAbiVersion) {
    const uint32_t found = info->abi_version;
    dlclose(handle);
    return Status::InvalidArgument("plugin " + path + " was built for streamapp plugin ABI " + std::to_string(found) +
                                   "; this stream-app supports " + std::to_string(kPluginAbiVersion) +
                                   " (rebuild the plugin against this stream-app's headers)");
  }
  if (info->register_operators == nullptr) {
    return Status::InvalidArgument("plugin " + path + " has no register function");
  }
  registry.set_origin(path);
  Status st = info->register_operators(registry);
  registry.set_origin("builtin");
  if (!st.ok()) return Status::InvalidArgument("plugin " + path + ": " + st.message());
  return Status::Ok();
}

}  // namespace streamapp::registry
