// Loading a YAML topology file into a Topology plus the application settings
// it declares. Errors are collected (all of them, not only the first) with
// file:line:column.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/dsl.h"

namespace streamapp {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
  // "file:line:column: message"
  std::string ToString() const;
};

// The `application:` section of a topology file. Unset fields take the
// worker's configuration or defaults.
struct AppSettings {
  std::string application_id;
  std::optional<std::string> processing_guarantee;  // "at_least_once" | "exactly_once_v2"
  std::optional<int64_t> commit_interval_ms;
  std::optional<int> threads;
  std::string dlq_topic;                     // "" = "<application_id>-dlq"
  std::map<std::string, std::string> kafka;  // librdkafka properties
};

struct LoadedTopology {
  AppSettings app;
  Topology topology;
};

struct LoadResult {
  std::optional<LoadedTopology> loaded;  // set when there are no errors
  std::vector<Diagnostic> errors;
};

struct LoadOptions {
  // Extra directories for .proto files, searched after the file's own
  // `proto_paths` (resolved relative to the file).
  std::vector<std::string> proto_paths;
  // Operator plugins (shared libraries) to load before the file's own
  // `plugins:` (`--plugin PATH`).
  std::vector<std::string> plugins;
};

LoadResult LoadTopologyFile(const std::string& path, const LoadOptions& options = {});
// `name` is used in diagnostics; relative paths resolve against `base_dir`.
LoadResult LoadTopologyText(std::string_view text, const std::string& name, const std::string& base_dir,
                            const LoadOptions& options = {});

}  // namespace streamapp
