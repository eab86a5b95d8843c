// The public entry points of topology_file.h: parse, resolve, build.
#include "streamapp/topology_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "yaml/spec.h"

namespace streamapp {

std::string Diagnostic::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult LoadTopologyText(std::string_view text, const std::string& name, const std::string& base_dir,
                            const LoadOptions& options) {
  yaml::Diagnostics diags(name);
  yaml::FileSpec spec = yaml::ParseSpec(text, base_dir, diags, options.plugins);
  yaml::ResolveSpec(spec, diags);
  // The file's own proto_paths first, then the caller's (--proto-path).
  SerdeOptions serde_options;
  serde_options.proto_paths = spec.proto_paths;
  serde_options.proto_paths.insert(serde_options.proto_paths.end(), options.proto_paths.begin(),
                                   options.proto_paths.end());
  std::optional<Topology> topology = yaml::BuildSpec(spec, serde_options, diags);
  LoadResult result;
  if (diags.empty() && topology) result.loaded = LoadedTopology{std::move(spec.app), std::move(*topology)};
  result.errors = diags.Take();
  return result;
}

LoadResult LoadTopologyFile(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back({path, 0, 0, "cannot read the file: " + std::string(std::strerror(errno))});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return LoadTopologyText(text.str(), path, base_dir.empty() ? "." : base_dir, options);
}

}  // namespace streamapp
