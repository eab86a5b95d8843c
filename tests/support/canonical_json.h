// Compares JSON values independent of the order of object fields.
#pragma once

#include <algorithm>
#include <string>

#include "streamapp/serde.h"
#include "streamapp/value.h"

namespace streamapp::testing {

// Sorts object fields recursively.
inline Value Canonical(Value v) {
  if (v.is_object()) {
    auto& obj = v.as_object();
    for (Field& f : obj) f.value = Canonical(std::move(f.value));
    std::sort(obj.begin(), obj.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  } else if (v.is_array()) {
    for (Value& e : v.as_array()) e = Canonical(std::move(e));
  }
  return v;
}

inline std::string CanonicalJson(const std::string& json) {
  static auto serde = *MakeSerde("json", {});
  Value v;
  if (!serde->Deserialize(json, &v).ok()) return "<bad json: " + json + ">";
  return Canonical(std::move(v)).ToJson();
}

}  // namespace streamapp::testing
