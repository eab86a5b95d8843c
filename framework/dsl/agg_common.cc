#include "dsl/agg_common.h"

#include <utility>

namespace streamapp::dsl::agg {
namespace {

constexpr uint8_t kEmittedFlag = 1;
constexpr uint8_t kNullFlag = 2;

void AppendBigEndian(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

}  // namespace

std::shared_ptr<const Serde> SerdeOrJson(std::shared_ptr<const Serde> serde) {
  if (serde) return serde;
  static const std::shared_ptr<const Serde> kJson = [] {
    auto made = MakeSerde("json", {});
    return made.ok() ? std::move(made).value() : nullptr;
  }();
  return kJson;
}

Result<std::string> EncodeKey(const Serde& serde, const Value& key, std::string_view op) {
  if (key.is_null()) {
    return Status::DataError(std::string(op) + ": a record with a null key cannot be aggregated (null key)");
  }
  std::string out;
  Status st = serde.Serialize(key, &out);
  if (!st.ok()) return st.WithContext(std::string(op) + ": encoding the key");
  return out;
}

Result<Value> DecodeBytes(const Serde& serde, std::string_view bytes, std::string_view what) {
  Value out;
  Status st = serde.Deserialize(bytes, &out);
  if (!st.ok()) return st.WithContext(std::string("decoding ") + std::string(what));
  return out;
}

Result<std::string> EncodeValue(const Serde& serde, const Value& value, std::string_view what) {
  std::string out;
  Status st = serde.Serialize(value, &out);
  if (!st.ok()) return st.WithContext(std::string("encoding ") + std::string(what));
  return out;
}

Value Finish(const Finisher& finish, const Value& aggregate) {
  if (aggregate.is_null() || !finish) return aggregate;
  return finish(aggregate);
}

Result<std::string> EncodeStoredWindow(const Serde& serde, const StoredWindow& window) {
  std::string out;
  uint8_t flags = (window.emitted ? kEmittedFlag : 0) | (window.aggregate.is_null() ? kNullFlag : 0);
  out.push_back(static_cast<char>(flags));
  AppendBigEndian(&out, static_cast<uint64_t>(window.max_timestamp));
  if (!window.aggregate.is_null()) {
    std::string encoded;
    Status st = serde.Serialize(window.aggregate, &encoded);
    if (!st.ok()) return st.WithContext("encoding a window aggregate");
    out += encoded;
  }
  return out;
}

Result<StoredWindow> DecodeStoredWindow(const Serde& serde, std::string_view bytes) {
  if (bytes.size() < 9)
    return Status::DataError("window store value too short (" + std::to_string(bytes.size()) + " bytes)");
  StoredWindow out;
  auto flags = static_cast<uint8_t>(bytes[0]);
  out.emitted = (flags & kEmittedFlag) != 0;
  out.max_timestamp = static_cast<int64_t>(ReadBigEndian(bytes.substr(1)));
  if ((flags & kNullFlag) == 0) {
    ASSIGN_OR_RETURN(out.aggregate, DecodeBytes(serde, bytes.substr(9), "a window aggregate"));
  }
  return out;
}

void AppendOrderedInt64(std::string* out, int64_t v) {
  AppendBigEndian(out, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}

int64_t ReadOrderedInt64(std::string_view bytes) {
  return static_cast<int64_t>(ReadBigEndian(bytes) ^ (uint64_t{1} << 63));
}

}  // namespace streamapp::dsl::agg
