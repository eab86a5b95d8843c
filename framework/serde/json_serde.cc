// json serde: simdjson for parsing, Value::AppendJson for writing.
//
// Parsing runs simdjson's DOM parser, whose kernels are picked at run time
// for the CPU (AVX2, AVX-512). Its On-Demand API is bound to the kernel the
// build targets, which for baseline x86-64 is the portable fallback
// (engine-bench, stateless: 3-4 % less CPU per record with the DOM).
// On-Demand still parses input the DOM rejects, for its error message with
// the byte position, and for integers beyond 64 bits.
#include <simdjson.h>

#include <cstring>
#include <string>

#include "serde/serde_impls.h"

namespace streamapp::serde {
namespace {

namespace od = simdjson::ondemand;

constexpr int kMaxDepth = 1024;

// Converts the current JSON value (a document or a value inside it) to a
// Value. Templated because the root document and nested values are distinct
// simdjson types with the same accessors.
template <typename JsonT>
simdjson::error_code Convert(JsonT& json, int depth, Value* out) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type type;
  if (auto err = json.type().get(type)) return err;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto err = json.get_object().get(object)) return err;
      *out = Value::MakeObject();
      Value::Object& fields = out->as_object();
      // Records are mostly objects of a handful of fields: one allocation
      // instead of growing 1, 2, 4, 8 (the profile showed the regrowth).
      fields.reserve(8);
      for (auto field_result : object) {
        od::field field;
        if (auto err = std::move(field_result).get(field)) return err;
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return err;
        fields.push_back(Field{std::string(key), Value()});
        od::value child = field.value();
        if (auto err = Convert(child, depth + 1, &fields.back().value)) return err;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array array;
      if (auto err = json.get_array().get(array)) return err;
      *out = Value::MakeArray();
      Value::Array& elements = out->as_array();
      for (auto element_result : array) {
        od::value element;
        if (auto err = std::move(element_result).get(element)) return err;
        elements.emplace_back();
        if (auto err = Convert(element, depth + 1, &elements.back())) return err;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      od::number number;
      auto err = json.get_number().get(number);
      if (err) {
        // An integer beyond 64 bits: keep it, approximately, as a double
        // (a malformed number fails here too, with the original error).
        double d;
        if (json.get_double().get(d) != simdjson::SUCCESS) return err;
        *out = Value(d);
        return simdjson::SUCCESS;
      }
      switch (number.get_number_type()) {
        case od::number_type::signed_integer: *out = Value(number.get_int64()); break;
        case od::number_type::unsigned_integer: *out = Value(static_cast<double>(number.get_uint64())); break;
        case od::number_type::floating_point_number: *out = Value(number.get_double()); break;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto err = json.get_string().get(s)) return err;
      *out = Value(s);
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto err = json.get_bool().get(b)) {
        // "tru", "fals": name the bad literal rather than a type mismatch.
        if (err != simdjson::INCORRECT_TYPE) return err;
        // (A plain string_view for values, a simdjson_result for documents.)
        simdjson::simdjson_result<std::string_view> raw(json.raw_json_token());
        std::string_view token;
        bool is_f = std::move(raw).get(token) == simdjson::SUCCESS && token.starts_with('f');
        return is_f ? simdjson::F_ATOM_ERROR : simdjson::T_ATOM_ERROR;
      }
      *out = Value(b);
      return simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null;
      if (auto err = json.is_null().get(is_null)) return err;
      if (!is_null) return simdjson::N_ATOM_ERROR;
      *out = Value();
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Converts a parsed DOM element to a Value (the same mapping as Convert).
// The DOM checked the whole document already; only a nesting deeper than
// kMaxDepth is refused here.
simdjson::error_code ConvertDom(simdjson::dom::element element, int depth, Value* out) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object = element.get_object().value_unsafe();
      *out = Value::MakeObject();
      Value::Object& fields = out->as_object();
      fields.reserve(object.size());
      for (simdjson::dom::key_value_pair field : object) {
        fields.push_back(Field{std::string(field.key), Value()});
        if (auto err = ConvertDom(field.value, depth + 1, &fields.back().value)) return err;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array array = element.get_array().value_unsafe();
      *out = Value::MakeArray();
      Value::Array& elements = out->as_array();
      elements.reserve(array.size());
      for (simdjson::dom::element child : array) {
        elements.emplace_back();
        if (auto err = ConvertDom(child, depth + 1, &elements.back())) return err;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::dom::element_type::INT64: *out = Value(element.get_int64().value_unsafe()); break;
    case simdjson::dom::element_type::UINT64:
      *out = Value(static_cast<double>(element.get_uint64().value_unsafe()));
      break;
    case simdjson::dom::element_type::DOUBLE: *out = Value(element.get_double().value_unsafe()); break;
    case simdjson::dom::element_type::STRING: *out = Value(element.get_string().value_unsafe()); break;
    case simdjson::dom::element_type::BOOL: *out = Value(element.get_bool().value_unsafe()); break;
    case simdjson::dom::element_type::NULL_VALUE: *out = Value(); break;
  }
  return simdjson::SUCCESS;
}

class JsonSerde final : public Serde {
 public:
  const std::string& spec() const override { return spec_; }

  Status Deserialize(std::string_view bytes, Value* out) const override {
    // Parser and padded copy of the input are reused per thread: serdes are
    // shared between threads, and a parser allocates on first use.
    thread_local simdjson::dom::parser dom_parser;
    thread_local od::parser parser;
    thread_local std::string buffer;
    buffer.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
    if (!bytes.empty()) std::memcpy(buffer.data(), bytes.data(), bytes.size());
    std::memset(buffer.data() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);

    simdjson::dom::element root;
    if (dom_parser.parse(buffer.data(), bytes.size(), false).get(root) == simdjson::SUCCESS) {
      Value result;
      if (ConvertDom(root, 0, &result) == simdjson::SUCCESS) {
        *out = std::move(result);
        return Status::Ok();
      }
    }

    // Rejected by the DOM: On-Demand says where, or keeps a big integer.
    od::document doc;
    if (auto err = parser.iterate(buffer.data(), bytes.size(), buffer.size()).get(doc)) {
      return Error(err, nullptr, nullptr);
    }
    Value result;
    if (auto err = Convert(doc, 0, &result)) return Error(err, &doc, buffer.data());
    // Anything left after the top-level value is an error.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS)
      return Error(simdjson::TRAILING_CONTENT, &doc, buffer.data());
    *out = std::move(result);
    return Status::Ok();
  }

  Status Serialize(const Value& value, std::string* out) const override {
    out->clear();
    value.AppendJson(out);
    return Status::Ok();
  }

 private:
  static Status Error(simdjson::error_code err, od::document* doc, const char* input) {
    std::string message = "malformed JSON: ";
    message += simdjson::error_message(err);
    const char* location = nullptr;
    if (doc != nullptr && doc->current_location().get(location) == simdjson::SUCCESS) {
      message += " (at byte " + std::to_string(location - input) + ")";
    }
    return Status::DataError(std::move(message));
  }

  std::string spec_ = "json";
};

}  // namespace

std::shared_ptr<const Serde> MakeJsonSerde() {
  return std::make_shared<JsonSerde>();
}

}  // namespace streamapp::serde
