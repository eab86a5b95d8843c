// Helpers for walking yaml-cpp nodes with positions and precise messages.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/operator_registry.h"
#include "yaml/spec.h"

namespace streamapp::yaml {

class Reader {
 public:
  Reader(std::string_view source, Diagnostics& diags) : source_(source), diags_(diags) {}

  Diagnostics& diags() { return diags_; }
  // The operators steps may name (set by ParseSpec before steps are read).
  const OperatorRegistry& registry() const { return *registry_; }
  void set_registry(const OperatorRegistry* registry) { registry_ = registry; }
  void Error(Pos pos, std::string message) { diags_.Add(pos, std::move(message)); }

  // yaml-cpp marks are 0-based; an empty value's mark is the next token's,
  // so callers pass the key's position for those (see ValuePos).
  static Pos PosOf(const YAML::Node& node);
  static Pos ValuePos(const YAML::Node& value, Pos key_pos);
  // "a mapping", "a sequence", "a scalar", "nothing".
  static std::string KindName(const YAML::Node& node);

  // Reports "<what>: expected X, found Y" and returns false on mismatch.
  bool ExpectMap(const YAML::Node& node, Pos pos, std::string_view what);
  bool ExpectSeq(const YAML::Node& node, Pos pos, std::string_view what);
  std::optional<Text> ExpectScalar(const YAML::Node& node, Pos pos, std::string_view what);
  std::optional<int64_t> ExpectInt(const YAML::Node& node, Pos pos, std::string_view what);
  std::optional<bool> ExpectBool(const YAML::Node& node, Pos pos, std::string_view what);
  // A scalar, or a sequence of scalars.
  std::vector<Text> ScalarOrList(const YAML::Node& node, Pos pos, std::string_view what);
  std::optional<ExprText> Expr(const YAML::Node& node, Pos pos, std::string_view what);

  // One of `allowed`; reports the value with a suggestion otherwise.
  std::optional<std::string> Choice(const YAML::Node& node, Pos pos, std::string_view what,
                                    const std::vector<std::string>& allowed);
  std::optional<ErrorHandling> OnError(const YAML::Node& node, Pos pos);

  struct Entry {
    std::string key;
    Pos key_pos;
    YAML::Node value;
    Pos value_pos;
  };
  // The entries of a mapping with scalar keys. Duplicate and non-scalar keys
  // are reported and skipped.
  std::vector<Entry> Entries(const YAML::Node& map, std::string_view what);
  // As Entries, and reports keys outside `allowed` ("unknown key 'x' in
  // <what>; expected one of ...; did you mean ...").
  std::vector<Entry> KnownEntries(const YAML::Node& map, std::string_view what,
                                  const std::vector<std::string>& allowed);

 private:
  // Maps each byte of a single-line scalar to its column (see ExprText).
  std::vector<int> ScalarColumns(const YAML::Node& node, const std::string& value) const;

  std::string_view source_;
  Diagnostics& diags_;
  const OperatorRegistry* registry_ = nullptr;
};

// Names of streams, pipelines, steps: they become node names, so no dots.
bool IsValidName(std::string_view name);
// Kafka topic names (and application ids, which prefix internal topics).
bool IsValidTopic(std::string_view name);

}  // namespace streamapp::yaml
