// A record as operators see it: decoded key and value, timestamp, headers,
// and where it came from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "streamapp/types.h"
#include "streamapp/value.h"

namespace streamapp {

struct Header {
  std::string key;
  std::string value;
  bool operator==(const Header&) const = default;
};

// Where a record was read. `topic` points at storage owned by the task that
// reads it and stays valid while the record is processed.
struct RecordSource {
  std::string_view topic;
  PartitionId partition{-1};
  Offset offset{Offset::kInvalid};
};

struct Record {
  Value key;
  Value value;
  Timestamp timestamp{Timestamp::kUnknown};
  std::vector<Header> headers;
  RecordSource source;
};

}  // namespace streamapp
