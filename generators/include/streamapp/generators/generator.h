// Deterministic sample-data generators for the reference pipelines
// (docs/generators.md). Independent of Kafka: a generator only fills
// GeneratedRecords; `stream-app generate` produces them, tests inspect them.
//
// Determinism: the same name, options and seed give byte-identical records
// (keys, values, timestamps) on the same build. Randomness comes from our own
// PRNG and our own normal/exponential sampling, never from <random>'s
// distributions, whose algorithms differ between standard libraries.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/status.h"

namespace streamapp::generators {

enum class Format { kJson, kProtobuf };

// How a record's value bytes may be written into a dump file.
enum class ValueKind : uint8_t {
  kJson,    // valid JSON text: embedded as is
  kText,    // text that is not JSON (a malformed record): a JSON string
  kBinary,  // protobuf bytes: base64
};

// The malformed-record mix of --bad-ratio (one of these per bad record).
enum class Defect : uint8_t {
  kNone,
  kInvalidEncoding,  // JSON cut short / undecodable protobuf bytes
  kMissingField,     // a required field left out
  kWrongType,        // a required field with a value of the wrong type
  kNegativeNumber,   // a quantity that must be positive is negative
  kDomainViolation,  // unknown symbol / currency, amount mismatch, ...
};
std::string_view DefectName(Defect d);

struct GeneratedRecord {
  std::string_view topic;  // owned by the generator
  std::string key;
  std::string value;
  int64_t timestamp = 0;  // event time, ms since the epoch
  ValueKind value_kind = ValueKind::kJson;
  // A record of the generator's main topic (the ones --count and
  // --bad-ratio are about); false for tickers and table rows.
  bool primary = true;
  Defect defect = Defect::kNone;
  // Ground truth to record outside the data (fraud: one JSON line per
  // transaction); empty for other generators.
  std::string truth;
};

struct GeneratorOptions {
  uint64_t seed = 1;
  int64_t start_time_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  Format format = Format::kJson;
  double bad_ratio = 0;
  std::string topic;                          // main topic; empty: the generator's default
  std::map<std::string, std::string> params;  // --set name=value
};

struct ParamSpec {
  std::string name;
  std::string default_value;
  std::string doc;
};

class Generator {
 public:
  virtual ~Generator() = default;
  // Fills `out` with the next record (reusing its buffers). Never ends.
  virtual void Next(GeneratedRecord& out) = 0;
  // Every topic the generator writes, the main one first.
  virtual std::vector<std::string> Topics() const = 0;
  // Topics that hold tables (compacted; keyed by id).
  virtual std::vector<std::string> TableTopics() const { return {}; }
};

// "crypto", "sales", "clickstream", "iot", "fraud".
const std::vector<std::string>& GeneratorNames();
// The parameters of a generator (--set name=value) with defaults and docs.
Result<std::vector<ParamSpec>> GeneratorParams(std::string_view name);
// InvalidArgument for an unknown generator or parameter, or a bad value.
Result<std::unique_ptr<Generator>> MakeGenerator(std::string_view name, const GeneratorOptions& options);

// "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.250Z", "2026-01-01" or
// milliseconds since the epoch.
Result<int64_t> ParseStartTime(std::string_view text);

}  // namespace streamapp::generators
