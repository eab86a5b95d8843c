// Internal helpers shared by the stateful operators (aggregate_ops.cc,
// window_ops.cc): store encodings of keys and aggregates.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dsl/aggregate_ops.h"
#include "streamapp/serde.h"

namespace streamapp::dsl::agg {

// The serde, or the shared json serde when null.
std::shared_ptr<const Serde> SerdeOrJson(std::shared_ptr<const Serde> serde);

// Store key of a record key; DataError naming `op` for a null key.
Result<std::string> EncodeKey(const Serde& serde, const Value& key, std::string_view op);
Result<Value> DecodeBytes(const Serde& serde, std::string_view bytes, std::string_view what);
Result<std::string> EncodeValue(const Serde& serde, const Value& value, std::string_view what);

// `finish` applied to a non-null aggregate (null stays null: no aggregate).
Value Finish(const Finisher& finish, const Value& aggregate);

// What window and session stores hold per window (an envelope around the
// value_serde bytes, like Kafka Streams' timestamped stores):
//   byte 0: flags (1: final result already emitted, 2: aggregate is null)
//   bytes 1..8: the largest record timestamp in the window, big-endian
//   rest: the aggregate encoded with value_serde (absent when null)
struct StoredWindow {
  int64_t max_timestamp = 0;
  bool emitted = false;
  Value aggregate;
};
Result<std::string> EncodeStoredWindow(const Serde& serde, const StoredWindow& window);
Result<StoredWindow> DecodeStoredWindow(const Serde& serde, std::string_view bytes);

// Big-endian int64 with the sign bit flipped: byte order = numeric order.
void AppendOrderedInt64(std::string* out, int64_t v);
int64_t ReadOrderedInt64(std::string_view bytes);  // the first 8 bytes

}  // namespace streamapp::dsl::agg
