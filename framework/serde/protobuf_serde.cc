// protobuf:<Message> serde: dynamic messages built from run-time schemas,
// converted to and from Value with reflection.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <climits>
#include <cmath>
#include <limits>

#include "serde/edit_distance.h"
#include "serde/protobuf_schema.h"
#include "serde/serde_impls.h"

namespace streamapp::serde {
namespace {

namespace pb = google::protobuf;
using CppType = pb::FieldDescriptor::CppType;

// ---- message -> Value ----

// Element `index` of a repeated field, or the singular field when index < 0.
Value FieldToValue(const pb::Message& m, const pb::FieldDescriptor* f, int index);

Value MessageToValue(const pb::Message& m);

Value MapToValue(const pb::Message& m, const pb::FieldDescriptor* f) {
  const pb::Reflection* r = m.GetReflection();
  const pb::FieldDescriptor* key_field = f->message_type()->map_key();
  const pb::FieldDescriptor* value_field = f->message_type()->map_value();
  // Entries sorted by key (numerically for integer keys), so the output does
  // not depend on hash order.
  std::vector<std::pair<Value, Field>> entries;
  for (int i = 0, n = r->FieldSize(m, f); i < n; ++i) {
    const pb::Message& entry = r->GetRepeatedMessage(m, f, i);
    Value key = FieldToValue(entry, key_field, -1);
    std::string name;
    if (key.is_string()) {
      name = key.as_string();
    } else if (key_field->cpp_type() == CppType::CPPTYPE_UINT64) {
      name = std::to_string(entry.GetReflection()->GetUInt64(entry, key_field));  // exact, even above int64
    } else {
      name = key.ToJson();  // integers and booleans
    }
    entries.emplace_back(std::move(key), Field{std::move(name), FieldToValue(entry, value_field, -1)});
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const Value& x = a.first;
    const Value& y = b.first;
    if (x.is_string()) return x.as_string() < y.as_string();
    if (x.is_bool()) return x.as_bool() < y.as_bool();
    if (x.is_int() && y.is_int()) return x.as_int() < y.as_int();
    return x.as_number() < y.as_number();
  });
  Value out = Value::MakeObject();
  for (auto& [key, field] : entries) out.as_object().push_back(std::move(field));
  return out;
}

Value FieldToValue(const pb::Message& m, const pb::FieldDescriptor* f, int index) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case CppType::CPPTYPE_INT32: return Value(int64_t{rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f)});
    case CppType::CPPTYPE_INT64: return Value(int64_t{rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)});
    case CppType::CPPTYPE_UINT32: return Value(int64_t{rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f)});
    case CppType::CPPTYPE_UINT64: {
      uint64_t v = rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return Value(static_cast<double>(v));
      return Value(static_cast<int64_t>(v));
    }
    case CppType::CPPTYPE_FLOAT: return Value(double{rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f)});
    case CppType::CPPTYPE_DOUBLE: return Value(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case CppType::CPPTYPE_BOOL: return Value(rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f));
    case CppType::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == pb::FieldDescriptor::TYPE_BYTES) return Value(Value::Bytes{std::move(s)});
      return Value(std::move(s));
    }
    case CppType::CPPTYPE_ENUM: {
      int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const pb::EnumValueDescriptor* ev = f->enum_type()->FindValueByNumber(number);
      // A number this schema does not know (open proto3 enums) stays a number.
      return ev != nullptr ? Value(ev->name()) : Value(int64_t{number});
    }
    case CppType::CPPTYPE_MESSAGE:
      return MessageToValue(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  return Value();
}

Value MessageToValue(const pb::Message& m) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  Value out = Value::MakeObject();
  Value::Object& fields = out.as_object();
  fields.reserve(d->field_count());
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_map()) {
      fields.push_back(Field{f->name(), MapToValue(m, f)});
    } else if (f->is_repeated()) {
      Value array = Value::MakeArray();
      for (int j = 0, n = r->FieldSize(m, f); j < n; ++j) array.as_array().push_back(FieldToValue(m, f, j));
      fields.push_back(Field{f->name(), std::move(array)});
    } else if (f->has_presence() && !r->HasField(m, f)) {
      // Unset messages, oneof members and `optional` scalars are left out;
      // plain proto3 scalars are always there, with their default value.
      continue;
    } else {
      fields.push_back(Field{f->name(), FieldToValue(m, f, -1)});
    }
  }
  return out;
}

// ---- Value -> message ----

std::string Join(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : std::string(path) + "." + std::string(name);
}

Status TypeMismatch(const pb::FieldDescriptor* f, std::string_view path, const Value& v, std::string_view detail = {}) {
  std::string message =
      "field '" + std::string(path) + "' of " + f->containing_type()->full_name() + ": expected " +
      (f->type() == pb::FieldDescriptor::TYPE_MESSAGE ? "object (message " + f->message_type()->full_name() + ")"
                                                      : std::string(f->type_name())) +
      ", got " + std::string(TypeName(v.type()));
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  return Status::DataError(std::move(message));
}

// An int, or a double with an integral value, within [lo, hi].
bool ToInteger(const Value& v, int64_t lo, int64_t hi, int64_t* out) {
  if (v.is_int()) {
    *out = v.as_int();
  } else if (v.is_double()) {
    double d = v.as_double();
    if (!std::isfinite(d) || d != std::trunc(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
      return false;
    }
    *out = static_cast<int64_t>(d);
  } else {
    return false;
  }
  return *out >= lo && *out <= hi;
}

bool ToUInt64(const Value& v, uint64_t* out) {
  if (v.is_int()) {
    if (v.as_int() < 0) return false;
    *out = static_cast<uint64_t>(v.as_int());
    return true;
  }
  if (v.is_double()) {
    double d = v.as_double();
    if (!std::isfinite(d) || d != std::trunc(d) || d < 0 || d >= 18446744073709551616.0) return false;
    *out = static_cast<uint64_t>(d);
    return true;
  }
  return false;
}

Status MessageFromValue(const Value& v, std::string_view path, pb::Message* m);

// Sets the singular field `f`, or appends to it when it is repeated.
Status SetField(const pb::FieldDescriptor* f, const Value& v, std::string_view path, pb::Message* m) {
  const pb::Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case CppType::CPPTYPE_INT32:
    case CppType::CPPTYPE_INT64:
    case CppType::CPPTYPE_UINT32: {
      int64_t lo = std::numeric_limits<int64_t>::min();
      int64_t hi = std::numeric_limits<int64_t>::max();
      if (f->cpp_type() == CppType::CPPTYPE_INT32) {
        lo = INT32_MIN;
        hi = INT32_MAX;
      } else if (f->cpp_type() == CppType::CPPTYPE_UINT32) {
        lo = 0;
        hi = UINT32_MAX;
      }
      int64_t i;
      if (!ToInteger(v, lo, hi, &i)) {
        return TypeMismatch(f, path, v, v.is_number() ? "not an integer in range" : "");
      }
      if (f->cpp_type() == CppType::CPPTYPE_INT32) {
        rep ? r->AddInt32(m, f, static_cast<int32_t>(i)) : r->SetInt32(m, f, static_cast<int32_t>(i));
      } else if (f->cpp_type() == CppType::CPPTYPE_INT64) {
        rep ? r->AddInt64(m, f, i) : r->SetInt64(m, f, i);
      } else {
        rep ? r->AddUInt32(m, f, static_cast<uint32_t>(i)) : r->SetUInt32(m, f, static_cast<uint32_t>(i));
      }
      return Status::Ok();
    }
    case CppType::CPPTYPE_UINT64: {
      uint64_t u;
      if (!ToUInt64(v, &u)) return TypeMismatch(f, path, v, v.is_number() ? "not an integer in range" : "");
      rep ? r->AddUInt64(m, f, u) : r->SetUInt64(m, f, u);
      return Status::Ok();
    }
    case CppType::CPPTYPE_DOUBLE:
      if (!v.is_number()) return TypeMismatch(f, path, v);
      rep ? r->AddDouble(m, f, v.as_number()) : r->SetDouble(m, f, v.as_number());
      return Status::Ok();
    case CppType::CPPTYPE_FLOAT: {
      if (!v.is_number()) return TypeMismatch(f, path, v);
      float x = static_cast<float>(v.as_number());
      rep ? r->AddFloat(m, f, x) : r->SetFloat(m, f, x);
      return Status::Ok();
    }
    case CppType::CPPTYPE_BOOL:
      if (!v.is_bool()) return TypeMismatch(f, path, v);
      rep ? r->AddBool(m, f, v.as_bool()) : r->SetBool(m, f, v.as_bool());
      return Status::Ok();
    case CppType::CPPTYPE_STRING: {
      std::string s;
      if (f->type() == pb::FieldDescriptor::TYPE_BYTES && v.is_bytes()) {
        s = v.as_bytes().data;
      } else if (v.is_string()) {
        s = v.as_string();
      } else {
        return TypeMismatch(f, path, v);
      }
      // proto3 strings must be UTF-8; protobuf would only log and write them.
      if (f->type() == pb::FieldDescriptor::TYPE_STRING && f->file()->syntax() == pb::FileDescriptor::SYNTAX_PROTO3 &&
          !simdjson::validate_utf8(s.data(), s.size())) {
        return TypeMismatch(f, path, v, "invalid UTF-8");
      }
      rep ? r->AddString(m, f, std::move(s)) : r->SetString(m, f, std::move(s));
      return Status::Ok();
    }
    case CppType::CPPTYPE_ENUM: {
      const pb::EnumDescriptor* e = f->enum_type();
      int number;
      if (v.is_string()) {
        const pb::EnumValueDescriptor* ev = e->FindValueByName(v.as_string());
        if (ev == nullptr) {
          return TypeMismatch(f, path, v, "'" + v.as_string() + "' is not a value of enum " + e->full_name());
        }
        number = ev->number();
      } else if (int64_t i; ToInteger(v, INT32_MIN, INT32_MAX, &i)) {
        number = static_cast<int>(i);
        // proto2 enums are closed: only their declared numbers are valid.
        if (e->file()->syntax() != pb::FileDescriptor::SYNTAX_PROTO3 && e->FindValueByNumber(number) == nullptr) {
          return TypeMismatch(f, path, v, std::to_string(number) + " is not a value of enum " + e->full_name());
        }
      } else {
        return TypeMismatch(f, path, v, "enum value name or number");
      }
      rep ? r->AddEnumValue(m, f, number) : r->SetEnumValue(m, f, number);
      return Status::Ok();
    }
    case CppType::CPPTYPE_MESSAGE:
      if (!v.is_object()) return TypeMismatch(f, path, v);
      return MessageFromValue(v, path, rep ? r->AddMessage(m, f) : r->MutableMessage(m, f));
  }
  return Status::Internal("unhandled protobuf field type");
}

// Sets a map entry's key field from the object key it was written under.
Status SetMapKey(const pb::FieldDescriptor* key_field, const std::string& key, std::string_view path,
                 pb::Message* entry) {
  const pb::Reflection* r = entry->GetReflection();
  auto bad_key = [&] {
    return Status::DataError("field '" + std::string(path) + "': map key '" + key + "' is not a valid " +
                             key_field->type_name());
  };
  switch (key_field->cpp_type()) {
    case CppType::CPPTYPE_STRING: r->SetString(entry, key_field, key); return Status::Ok();
    case CppType::CPPTYPE_BOOL:
      if (key != "true" && key != "false") return bad_key();
      r->SetBool(entry, key_field, key == "true");
      return Status::Ok();
    case CppType::CPPTYPE_UINT64: {
      uint64_t u;
      auto res = std::from_chars(key.data(), key.data() + key.size(), u);
      if (res.ec != std::errc() || res.ptr != key.data() + key.size()) return bad_key();
      r->SetUInt64(entry, key_field, u);
      return Status::Ok();
    }
    default: {
      int64_t i;
      auto res = std::from_chars(key.data(), key.data() + key.size(), i);
      if (res.ec != std::errc() || res.ptr != key.data() + key.size()) return bad_key();
      // Reuse the integer conversion (with its range checks) for the key.
      return SetField(key_field, Value(i), path, entry);
    }
  }
}

Status MapFromValue(const pb::FieldDescriptor* f, const Value& v, std::string_view path, pb::Message* m) {
  if (!v.is_object()) return TypeMismatch(f, path, v, "a map is written as an object");
  const pb::FieldDescriptor* key_field = f->message_type()->map_key();
  const pb::FieldDescriptor* value_field = f->message_type()->map_value();
  for (const Field& kv : v.as_object()) {
    std::string entry_path = Join(path, kv.name);
    pb::Message* entry = m->GetReflection()->AddMessage(m, f);
    RETURN_IF_ERROR(SetMapKey(key_field, kv.name, entry_path, entry));
    if (!kv.value.is_null()) RETURN_IF_ERROR(SetField(value_field, kv.value, entry_path, entry));
  }
  return Status::Ok();
}

Status MessageFromValue(const Value& v, std::string_view path, pb::Message* m) {
  const pb::Descriptor* d = m->GetDescriptor();
  for (const Field& field : v.as_object()) {
    std::string field_path = Join(path, field.name);
    const pb::FieldDescriptor* f = d->FindFieldByName(field.name);
    if (f == nullptr) {
      std::string message =
          "unknown field '" + field_path + "': message " + d->full_name() + " has no field '" + field.name + "'";
      std::vector<std::string> names;
      for (int i = 0; i < d->field_count(); ++i) names.push_back(d->field(i)->name());
      if (auto suggestion = NearestName(field.name, names)) message += "; did you mean '" + *suggestion + "'?";
      return Status::DataError(std::move(message));
    }
    if (field.value.is_null()) continue;  // null means "not set"
    if (f->is_map()) {
      RETURN_IF_ERROR(MapFromValue(f, field.value, field_path, m));
    } else if (f->is_repeated()) {
      if (!field.value.is_array()) return TypeMismatch(f, field_path, field.value, "a repeated field is an array");
      const Value::Array& elements = field.value.as_array();
      for (size_t i = 0; i < elements.size(); ++i) {
        std::string element_path = field_path + "[" + std::to_string(i) + "]";
        if (elements[i].is_null()) return TypeMismatch(f, element_path, elements[i], "null in a repeated field");
        RETURN_IF_ERROR(SetField(f, elements[i], element_path, m));
      }
    } else {
      RETURN_IF_ERROR(SetField(f, field.value, field_path, m));
    }
  }
  return Status::Ok();
}

// ---- the serde ----

class ProtobufSerde final : public Serde {
 public:
  ProtobufSerde(std::string spec, std::shared_ptr<const ProtoSchema> schema, const pb::Message* prototype)
      : spec_(std::move(spec)), schema_(std::move(schema)), prototype_(prototype) {}

  const std::string& spec() const override { return spec_; }

  Status Deserialize(std::string_view bytes, Value* out) const override {
    if (bytes.size() > static_cast<size_t>(INT_MAX)) return Error("record too large for protobuf");
    pb::Message* message = ScratchMessage();
    if (!message->ParsePartialFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Error("malformed protobuf bytes (" + std::to_string(bytes.size()) + " bytes)");
    }
    if (!message->IsInitialized()) {
      return Error("missing required fields: " + message->InitializationErrorString());
    }
    *out = MessageToValue(*message);
    return Status::Ok();
  }

  Status Serialize(const Value& value, std::string* out) const override {
    if (!value.is_object()) {
      return Error("expected an object, got " + std::string(TypeName(value.type())));
    }
    pb::Message* message = ScratchMessage();
    Status st = MessageFromValue(value, "", message);
    if (!st.ok()) return st.WithContext(spec_);
    if (!message->IsInitialized()) {
      return Error("missing required fields: " + message->InitializationErrorString());
    }
    out->clear();
    if (!message->SerializePartialToString(out)) return Error("cannot serialize message");
    return Status::Ok();
  }

 private:
  Status Error(const std::string& message) const { return Status::DataError(spec_ + ": " + message); }

  // A cleared message of this serde's type, reused per thread. A few slots
  // so that a thread alternating between serdes (key and value) keeps both.
  // Each slot holds the schema alive for as long as its message.
  pb::Message* ScratchMessage() const {
    struct Slot {
      uint64_t serde_id = 0;
      std::shared_ptr<const ProtoSchema> schema;
      std::unique_ptr<pb::Message> message;  // destroyed before `schema`
    };
    thread_local std::array<Slot, 4> slots;
    thread_local size_t next = 0;
    for (Slot& slot : slots) {
      if (slot.serde_id == id_) {
        slot.message->Clear();
        return slot.message.get();
      }
    }
    Slot& slot = slots[next++ % slots.size()];
    slot.message.reset();
    slot.schema = schema_;
    slot.message.reset(prototype_->New());
    slot.serde_id = id_;
    return slot.message.get();
  }

  static uint64_t NextId() {
    static std::atomic<uint64_t> counter{0};
    return ++counter;
  }

  const std::string spec_;
  const std::shared_ptr<const ProtoSchema> schema_;
  const pb::Message* const prototype_;  // owned by schema_
  const uint64_t id_ = NextId();        // never reused, unlike addresses
};

}  // namespace

Result<std::shared_ptr<const Serde>> MakeProtobufSerde(std::string spec, std::string_view message,
                                                       const SerdeOptions& options) {
  auto schema = ProtoSchema::Load(options.proto_paths);
  if (!schema.ok()) return schema.status().WithContext("serde '" + spec + "'");
  auto prototype = (*schema)->FindPrototype(message);
  if (!prototype.ok()) return prototype.status();
  return std::shared_ptr<const Serde>(std::make_shared<ProtobufSerde>(std::move(spec), *schema, *prototype));
}

}  // namespace streamapp::serde
