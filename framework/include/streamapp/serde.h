// Serdes turn Kafka bytes into Values and back.
//
// Specs (as written in a topology): "string", "bytes", "json", "int64",
// "double", "protobuf:<full.message.Name>". Protobuf messages are resolved at
// run time from .proto files, so users bring schemas without rebuilding.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp {

class Serde {
 public:
  virtual ~Serde() = default;
  // The spec this serde was made from, e.g. "protobuf:shop.Order".
  virtual const std::string& spec() const = 0;
  // Decodes non-null bytes into *out (a null record key/value never reaches a
  // serde: it is Value null). DataError with a reason on malformed input.
  virtual Status Deserialize(std::string_view bytes, Value* out) const = 0;
  // Encodes a non-null value, replacing *out. DataError when the value does
  // not fit the format (e.g. a string for int64, an unknown protobuf field).
  virtual Status Serialize(const Value& value, std::string* out) const = 0;
};

struct SerdeOptions {
  // Directories searched for .proto files (imports resolve against them too).
  std::vector<std::string> proto_paths;
};

// InvalidArgument for an unknown spec, a message not found in the .proto
// files, or a .proto that does not parse (with the file and line).
// Serdes are immutable and safe to share between threads.
Result<std::shared_ptr<const Serde>> MakeSerde(std::string_view spec, const SerdeOptions& options);

// The spec names MakeSerde accepts (protobuf listed as "protobuf:<Message>").
const std::vector<std::string>& SerdeSpecNames();

}  // namespace streamapp
