// The JSON-lines record format of `generate --dump` and `generate --replay`:
//   {"topic": "...", "key": "...", "value": <any JSON>, "timestamp": ms}
// - "topic" may be left out when the replay names one with --topic;
// - "key" may be null or left out (no key);
// - "value": a JSON string stands for its text, any other JSON for its own
//   text as written (byte for byte), null for a tombstone; binary values are
//   written as "value_base64": "..." instead;
// - "timestamp" may be left out (the producer stamps the record).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "streamapp/generators/generator.h"
#include "streamapp/status.h"

namespace streamapp::generators {

struct ReplayRecord {
  std::string topic;  // empty when the line has none
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::optional<int64_t> timestamp;
};

// Parses one line; InvalidArgument with the reason (no file or line: the
// caller adds them).
Status ParseReplayLine(std::string_view line, ReplayRecord* out);

// Appends one line (with its '\n') describing `record` to *out.
void AppendDumpLine(const GeneratedRecord& record, std::string* out);

}  // namespace streamapp::generators
