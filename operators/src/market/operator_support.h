// Pieces the market operators share: reading a number from a record (a
// record error when it is not one), the key-value store of per-key state,
// and the length-prefixed concatenation that stores several calculators'
// encodings in one store value.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "streamapp/expr.h"
#include "streamapp/processor.h"
#include "streamapp/state_store.h"
#include "streamapp/value.h"

namespace streamapp::operators::market_support {

// The number `e` computes for `r`; a DataError naming `op` and the
// expression when it is missing or not a number.
inline Result<double> NumberOf(std::string_view op, const expr::Expression& e, const Record& r) {
  ASSIGN_OR_RETURN(Value v, e.Evaluate(r));
  if (!v.is_number()) {
    return Status::DataError(std::string(op) + ": " + e.text() + " is " +
                             (v.is_null() ? std::string("missing") : "not a number: " + v.ToJson()));
  }
  return v.as_number();
}

// The operator's own key-value store, looked up once in Init().
inline Result<KeyValueStore*> KeyValueStoreOf(std::string_view op, ProcessorContext& context,
                                              const std::string& store) {
  auto* kv = dynamic_cast<KeyValueStore*>(context.GetStateStore(store));
  if (kv == nullptr) return Status::Internal(std::string(op) + ": store '" + store + "' is missing");
  return kv;
}

// The error for stored state that does not fit the configuration: not a
// record problem, so it stops the task instead of emitting wrong values.
inline Status UnusableState(std::string_view op, const std::string& key, const std::string& store, const Status& why) {
  return Status::InvalidArgument(std::string(op) + ": the stored state of key " + key + " in store '" + store +
                                 "' cannot be used (" + why.message() +
                                 "); after changing the parameters, reset the application or rename the step");
}

// Appends `part` with a 4-byte little-endian length.
inline void AppendPart(std::string& out, std::string_view part) {
  const uint32_t n = static_cast<uint32_t>(part.size());
  char len[4];
  std::memcpy(len, &n, 4);
  out.append(len, 4);
  out.append(part);
}

// Takes the next part off the front of `rest`.
inline Result<std::string_view> NextPart(std::string_view& rest) {
  uint32_t n = 0;
  if (rest.size() < 4) return Status::InvalidArgument("truncated");
  std::memcpy(&n, rest.data(), 4);
  if (rest.size() - 4 < n) return Status::InvalidArgument("truncated");
  std::string_view part = rest.substr(4, n);
  rest.remove_prefix(4 + n);
  return part;
}

}  // namespace streamapp::operators::market_support
